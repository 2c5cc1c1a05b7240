namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// The channel counts a convolution runs at (<see cref="ConvolutionPath"/>): its weight block and input are
/// zero-padded up to a multiple of <see cref="Multiple"/> channels and its output is narrowed back, so the result is
/// the unpadded convolution's.
/// </summary>
/// <remarks>
/// Why 16: on AVX-512 CPUs libtorch 2.10's oneDNN convolution works on blocks of 16 channels, and with a partial
/// block its result depended on uninitialized memory. Measured on an AMD EPYC with AVX-512, oneDNN on, with the freed
/// heap filled with NaN before each call: the forward output was all NaN whenever the input had 16 or more channels
/// and not a multiple of 16 (17, 21, 24, 40 channels), and the input gradient whenever the output count was not a
/// multiple of 16 (11, 12, 17, 21, 43); rounded up to multiples of 16, every case stayed finite. An input of fewer
/// than 16 channels (1 to 15 measured) stayed finite unpadded, so it is left as it is: padding a one-channel image
/// to 16 would multiply the first convolution's work by 16.
/// Without oneDNN, libtorch's own convolution has no such defect and padding would only add work.
/// </remarks>
internal readonly record struct ChannelPadding(int Multiple)
{
    /// <summary>oneDNN's channel block on AVX-512.</summary>
    public const int OneDnnBlock = 16;

    /// <summary>No padding.</summary>
    public static ChannelPadding None => new(1);

    /// <summary>What this process needs: <see cref="OneDnnBlock"/> while oneDNN is on, none otherwise.</summary>
    public static ChannelPadding ForProcess => new(Native.TorchNative.OneDnnEnabled ? OneDnnBlock : 1);

    /// <summary>The output channels to compute for <paramref name="channels"/> wanted ones.</summary>
    public int Outputs(int channels) => RoundUp(channels);

    /// <summary>The input channels to feed for <paramref name="channels"/> real ones.</summary>
    public int Inputs(int channels) => channels < Multiple ? channels : RoundUp(channels);

    private int RoundUp(int channels) => (channels + Multiple - 1) / Multiple * Multiple;
}
