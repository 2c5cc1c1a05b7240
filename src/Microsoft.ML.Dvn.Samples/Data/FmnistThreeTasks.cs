namespace Microsoft.ML.Dvn.Samples.Data;

/// <summary>
/// The fmnist-3tasks scenario of docs/benchmarks.md on a ten-class image set, K = L = T = 3. Training image i belongs
/// to task i mod 3, so the tasks see different images; every test image serves every task through the task's own view:
/// <list type="bullet">
/// <item><c>fine</c>: the image as it is, the ten classes;</item>
/// <item><c>coarse</c>: mirrored left-right, four groups of classes (tops, trousers, footwear, bags);</item>
/// <item><c>inverted</c>: 1 - pixel, the ten classes.</item>
/// </list>
/// </summary>
internal sealed class FmnistThreeTasks(ImageSet images) : Scenario(images)
{
    public const string ScenarioName = "fmnist-3tasks";

    /// <summary>The tasks in task-key order: fine is key 1, coarse 2, inverted 3.</summary>
    public static readonly IReadOnlyList<string> Tasks = new[] { "fine", "coarse", "inverted" };

    /// <summary>Fashion-MNIST's classes grouped: tops {0, 2, 3, 4, 6}, trousers {1}, footwear {5, 7, 9}, bags {8}.</summary>
    public static readonly int[] CoarseGroupOfClass = { 0, 1, 0, 0, 0, 2, 0, 2, 3, 2 };

    public override string Name => ScenarioName;

    public override IReadOnlyList<string> TaskNames => Tasks;

    public override int NumberOfUnits => 3;

    public override int NumberOfLevels => 3;

    public override IReadOnlyList<string> Labels(string task) =>
        (task == "coarse" ? Images.GroupNames : Images.ClassNames).Select(name => $"{task}:{name}").ToArray();

    /// <summary>The task's training rows: images i with i mod 3 = the task's index, the first <paramref name="limit"/> of them.</summary>
    public override List<TaskRow> TrainRows(string task, int? limit)
    {
        int index = TaskKey(task) - 1;
        var train = Images.Train;
        return Enumerable.Range(0, train.Count).Where(i => i % Tasks.Count == index)
            .Take(limit ?? int.MaxValue).Select(i => Row(task, train.Images[i], train.Labels[i])).ToList();
    }

    /// <summary>The first <paramref name="limit"/> test images (all 10,000 without a limit), seen by the task.</summary>
    public override List<TaskRow> TestRows(string task, int? limit)
    {
        var test = Images.Test;
        return Enumerable.Range(0, Math.Min(limit ?? int.MaxValue, test.Count)).Select(i => Row(task, test.Images[i], test.Labels[i])).ToList();
    }

    private TaskRow Row(string task, float[] image, byte label) => task switch
    {
        "fine" => new TaskRow { Task = task, Features = image, Label = $"fine:{Images.ClassNames[label]}" },
        "coarse" => new TaskRow { Task = task, Features = ImageViews.Mirrored(image), Label = $"coarse:{Images.GroupNames[CoarseGroupOfClass[label]]}" },
        "inverted" => new TaskRow { Task = task, Features = ImageViews.Inverted(image), Label = $"inverted:{Images.ClassNames[label]}" },
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, $"Unknown task; the tasks are {string.Join(", ", Tasks)}."),
    };
}
