namespace Microsoft.ML.Dvn.Samples.Data;

/// <summary>
/// A stand-in for Fashion-MNIST that needs no download: 28 x 28 grey images of ten classes of strokes. Each class
/// draws its coarse group's stroke (the grouping of <see cref="FmnistThreeTasks.CoarseGroupOfClass"/>) and two strokes of
/// its own; every image shifts its class's drawing by up to 3 pixels, scales its brightness, and adds a stroke that
/// belongs to no class and noise. Fixed seeds make the images the same on every run, so that a model trained on
/// them can be tested later by 'predict'.
/// </summary>
internal static class GeneratedImages
{
    private const int TrainCount = 60_000;
    private const int TestCount = 10_000;
    private const int MaxShift = 3;
    private const double Noise = 0.5;

    public static ImageSet Create()
    {
        var templates = Templates();
        return new ImageSet("generated strokes", Sample(templates, TrainCount, seed: 1), Sample(templates, TestCount, seed: 2),
            Enumerable.Range(0, 10).Select(c => $"strokes {c}").ToArray(),
            Enumerable.Range(1, 4).Select(g => $"group {g}").ToArray());
    }

    private static float[][] Templates()
    {
        var random = new Random(2019);
        var groupStrokes = Enumerable.Range(0, 4).Select(_ => RandomStroke(random)).ToArray();
        return Enumerable.Range(0, 10).Select(c =>
        {
            var template = new float[ImageSet.PixelCount];
            foreach (var stroke in new[] { groupStrokes[FmnistThreeTasks.CoarseGroupOfClass[c]], RandomStroke(random), RandomStroke(random) })
                Draw(template, stroke);
            return template;
        }).ToArray();
    }

    private static (double X0, double Y0, double X1, double Y1) RandomStroke(Random random) =>
        (4 + 20 * random.NextDouble(), 4 + 20 * random.NextDouble(), 4 + 20 * random.NextDouble(), 4 + 20 * random.NextDouble());

    // A line segment with a soft edge: brightness falls off with the distance of the pixel from the segment.
    private static void Draw(float[] image, (double X0, double Y0, double X1, double Y1) s)
    {
        double dx = s.X1 - s.X0, dy = s.Y1 - s.Y0, lengthSquared = Math.Max(dx * dx + dy * dy, 1e-9);
        for (int y = 0; y < ImageSet.Side; y++)
            for (int x = 0; x < ImageSet.Side; x++)
            {
                double along = Math.Clamp(((x - s.X0) * dx + (y - s.Y0) * dy) / lengthSquared, 0, 1);
                double ex = x - (s.X0 + along * dx), ey = y - (s.Y0 + along * dy);
                float brightness = (float)Math.Exp(-(ex * ex + ey * ey) / 2);
                image[y * ImageSet.Side + x] = Math.Max(image[y * ImageSet.Side + x], brightness);
            }
    }

    private static LabeledImages Sample(float[][] templates, int count, int seed)
    {
        var random = new Random(seed);
        var images = new float[count][];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = random.Next(templates.Length);
            int shiftX = random.Next(-MaxShift, MaxShift + 1), shiftY = random.Next(-MaxShift, MaxShift + 1);
            float brightness = 0.6f + 0.4f * random.NextSingle();
            var image = images[i] = new float[ImageSet.PixelCount];
            Draw(image, RandomStroke(random));
            for (int y = 0; y < ImageSet.Side; y++)
                for (int x = 0; x < ImageSet.Side; x++)
                {
                    int sourceX = x - shiftX, sourceY = y - shiftY;
                    float ink = sourceX is >= 0 and < ImageSet.Side && sourceY is >= 0 and < ImageSet.Side
                        ? templates[label][sourceY * ImageSet.Side + sourceX] * brightness
                        : 0;
                    int p = y * ImageSet.Side + x;
                    image[p] = Math.Clamp(Math.Max(ink, image[p]) + (float)(Noise * Normal(random)), 0, 1);
                }
            labels[i] = (byte)label;
        }
        return new LabeledImages(images, labels);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
