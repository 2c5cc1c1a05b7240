namespace Microsoft.ML.Dvn.Samples.Data;

/// <summary>The ways a task may see a 28 x 28 image: new arrays, the original left as it is.</summary>
internal static class ImageViews
{
    public static float[] Mirrored(float[] image) => Map(image, (y, x) => (y, ImageSet.Side - 1 - x));

    /// <summary>Turned a quarter clockwise.</summary>
    public static float[] Rotated(float[] image) => Map(image, (y, x) => (ImageSet.Side - 1 - x, y));

    public static float[] UpsideDown(float[] image) => Map(image, (y, x) => (ImageSet.Side - 1 - y, ImageSet.Side - 1 - x));

    /// <summary>1 - pixel.</summary>
    public static float[] Inverted(float[] image) => image.Select(p => 1 - p).ToArray();

    // Pixel (y, x) of the view is pixel source(y, x) of the image.
    private static float[] Map(float[] image, Func<int, int, (int Y, int X)> source)
    {
        var view = new float[image.Length];
        for (int y = 0; y < ImageSet.Side; y++)
            for (int x = 0; x < ImageSet.Side; x++)
            {
                var (sy, sx) = source(y, x);
                view[y * ImageSet.Side + x] = image[sy * ImageSet.Side + sx];
            }
        return view;
    }
}
