namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// The activations a forward pass of one row creates at a level's active widths, counted in values (4 bytes each): what
/// a level needs at prediction besides its parameters. Computed from the architecture alone, so a model file's declared
/// network gives it before anything is allocated.
/// </summary>
/// <remarks>
/// Counted as <see cref="DvnNetwork.Forward"/> and the predictor run it, where every tensor of a pass lives until the
/// pass ends (its dispose scope): the row's features; for each convolution its output, the normalization's, the ReLU's
/// (each channels x height x width at the layer's resolution) and the 2 x 2 pooling's (a quarter of that); for each fully
/// connected layer its output, the normalization's and the ReLU's; the head's logits and their softmax. Reshapes and
/// flattening are views and cost nothing. The zero channels added for oneDNN on AVX-512 CPUs
/// (<see cref="Native.ChannelPadding"/>) are not counted: they depend on the process, not on the model.
/// </remarks>
internal static class ActivationMemory
{
    /// <summary>Bytes of one stored parameter or activation value (float32).</summary>
    public const int BytesPerValue = sizeof(float);

    /// <summary>The values a one-row forward pass creates (checked arithmetic: an overflow throws).</summary>
    /// <param name="architecture">The backbone: image size for the convolutions.</param>
    /// <param name="inputSize">Length of the feature vector.</param>
    /// <param name="classes">The task's classes (head outputs).</param>
    /// <param name="activeWidth">The level's active channels or features of hidden layer i (convolutions first).</param>
    public static long ValuesPerRow(DvnArchitecture architecture, int inputSize, int classes, Func<int, int> activeWidth)
    {
        int convolutions = architecture.ConvolutionChannels.Count, layers = convolutions + architecture.HiddenLayerSizes.Count;
        long values = inputSize;
        for (int layer = 0; layer < layers; layer++)
        {
            long width = activeWidth(layer);
            if (layer < convolutions)
            {
                long area = architecture.PooledArea(layer), pooled = architecture.PooledArea(layer + 1);
                values = checked(values + 3 * checked(width * area) + checked(width * pooled));
            }
            else
                values = checked(values + 3 * width);
        }
        return checked(values + 2L * classes);
    }
}
