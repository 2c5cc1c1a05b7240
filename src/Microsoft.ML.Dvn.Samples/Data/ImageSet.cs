namespace Microsoft.ML.Dvn.Samples.Data;

/// <summary>Grey images of one size with a class each: pixels in [0, 1], row-major, one array per image.</summary>
internal sealed record LabeledImages(float[][] Images, byte[] Labels)
{
    public int Count => Labels.Length;
}

/// <summary>
/// A ten-class image data set in Fashion-MNIST's shape (28 x 28 grey), split into training and test images.
/// <paramref name="GroupNames"/> name the four coarse groups of <see cref="FmnistThreeTasks.CoarseGroupOfClass"/>.
/// </summary>
internal sealed record ImageSet(string Name, LabeledImages Train, LabeledImages Test, string[] ClassNames, string[] GroupNames)
{
    public const int Side = 28;
    public const int PixelCount = Side * Side;
}
