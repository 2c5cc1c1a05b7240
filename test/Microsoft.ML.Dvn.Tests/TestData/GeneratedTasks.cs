namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>
/// Three classification tasks on the same kind of features, each with its own decision rule:
/// task 1, 3 classes: which of the first three features is largest;
/// task 2, 2 classes: whether x3 * x4 is positive (an XOR, not linearly separable);
/// task 3, 4 classes: the quadrant of (x5 + x6, x7 - x8).
/// Features are standard normal; chance accuracy is 1/3, 1/2 and 1/4.
/// </summary>
internal static class GeneratedTasks
{
    public const int FeatureCount = 10;

    public static readonly int[] ClassCounts = { 3, 2, 4 };

    /// <summary>Rows of one task: features and the task's class index (0-based).</summary>
    public static (float[][] Features, int[] Labels) Rows(int task, int count, int seed)
    {
        var random = new Random(seed * 31 + task);
        var features = new float[count][];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            var x = new float[FeatureCount];
            for (int k = 0; k < FeatureCount; k++)
                x[k] = (float)Normal(random);
            features[i] = x;
            labels[i] = Label(task, x);
        }
        return (features, labels);
    }

    public static int Label(int task, float[] x) => task switch
    {
        1 => x[0] >= x[1] && x[0] >= x[2] ? 0 : x[1] >= x[2] ? 1 : 2,
        2 => x[3] * x[4] > 0 ? 1 : 0,
        3 => (x[5] + x[6] > 0 ? 2 : 0) + (x[7] - x[8] > 0 ? 1 : 0),
        _ => throw new ArgumentOutOfRangeException(nameof(task)),
    };

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
