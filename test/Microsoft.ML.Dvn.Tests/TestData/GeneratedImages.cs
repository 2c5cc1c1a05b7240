namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>
/// Small grey images (channel-major, 1 x size x size) with a bright square on noise, for three tasks on the
/// same kind of image: task 1 (4 classes) the square's quadrant, task 2 (2 classes) its size, task 3 (3 classes)
/// its brightness.
/// </summary>
internal static class GeneratedImages
{
    public static readonly int[] ClassCounts = { 4, 2, 3 };

    public static (float[][] Pixels, int[] Labels) Rows(int task, int count, int size, int seed)
    {
        var random = new Random(seed * 131 + task);
        var images = new float[count][];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int quadrant = random.Next(4), big = random.Next(2), brightness = random.Next(3);
            var pixels = new float[size * size];
            for (int p = 0; p < pixels.Length; p++)
                pixels[p] = (float)(random.NextDouble() * 0.3);
            int side = big == 1 ? size / 3 : size / 6;
            int top = (quadrant / 2) * (size / 2) + random.Next(size / 2 - side + 1);
            int left = (quadrant % 2) * (size / 2) + random.Next(size / 2 - side + 1);
            for (int r = top; r < top + side; r++)
                for (int c = left; c < left + side; c++)
                    pixels[r * size + c] = 0.4f + 0.3f * brightness;
            images[i] = pixels;
            labels[i] = task switch { 1 => quadrant, 2 => big, _ => brightness };
        }
        return (images, labels);
    }
}
