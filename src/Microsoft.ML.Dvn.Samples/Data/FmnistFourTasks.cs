namespace Microsoft.ML.Dvn.Samples.Data;

/// <summary>
/// The fmnist-4tasks scenario of docs/benchmarks.md: four tasks on six units with three levels (T != K, L < K), of
/// unequal class counts (10, 3, 5, 2) and unequal sizes, one of them small. Training image i belongs to part i mod 4;
/// each task takes the images of its part whose class it has. Test images serve every task that has their class,
/// each through the task's own view:
/// <list type="bullet">
/// <item><c>fine</c>: the image as it is, the ten classes (15,000 training images);</item>
/// <item><c>footwear</c>: turned a quarter clockwise, Sandal / Sneaker / Ankle boot (about 4,500);</item>
/// <item><c>tops</c>: 1 - pixel, T-shirt / Pullover / Dress / Coat / Shirt, only <see cref="TopsTrainingRows"/> training images;</item>
/// <item><c>kind</c>: upside down, clothing {T-shirt, Trouser, Pullover, Dress, Coat, Shirt} against accessories
/// {Sandal, Sneaker, Bag, Ankle boot} (15,000).</item>
/// </list>
/// </summary>
internal sealed class FmnistFourTasks(ImageSet images) : Scenario(images)
{
    public const string ScenarioName = "fmnist-4tasks";

    /// <summary>The few training images of the small task.</summary>
    public const int TopsTrainingRows = 1_000;

    private static readonly string[] Tasks = { "fine", "footwear", "tops", "kind" };

    private static readonly int[] Footwear = { 5, 7, 9 };
    private static readonly int[] Tops = { 0, 2, 3, 4, 6 };
    private static readonly int[] KindOfClass = { 0, 0, 0, 0, 0, 1, 0, 1, 1, 1 };
    private static readonly string[] KindNames = { "clothing", "accessory" };

    public override string Name => ScenarioName;

    public override IReadOnlyList<string> TaskNames => Tasks;

    public override int NumberOfUnits => 6;

    public override int NumberOfLevels => 3;

    public override IReadOnlyList<string> Labels(string task) => (task switch
    {
        "fine" => Images.ClassNames,
        "footwear" => Footwear.Select(c => Images.ClassNames[c]).ToArray(),
        "tops" => Tops.Select(c => Images.ClassNames[c]).ToArray(),
        "kind" => KindNames,
        _ => throw UnknownTask(task),
    }).Select(name => $"{task}:{name}").ToArray();

    public override List<TaskRow> TrainRows(string task, int? limit)
    {
        int part = TaskKey(task) - 1;
        var train = Images.Train;
        int own = task == "tops" ? TopsTrainingRows : int.MaxValue;
        return Enumerable.Range(0, train.Count).Where(i => i % Tasks.Length == part && Has(task, train.Labels[i]))
            .Take(Math.Min(own, limit ?? int.MaxValue)).Select(i => Row(task, train.Images[i], train.Labels[i])).ToList();
    }

    public override List<TaskRow> TestRows(string task, int? limit)
    {
        var test = Images.Test;
        return Enumerable.Range(0, test.Count).Where(i => Has(task, test.Labels[i]))
            .Take(limit ?? int.MaxValue).Select(i => Row(task, test.Images[i], test.Labels[i])).ToList();
    }

    private static bool Has(string task, byte label) => task switch
    {
        "footwear" => Footwear.Contains(label),
        "tops" => Tops.Contains(label),
        _ => true,
    };

    private TaskRow Row(string task, float[] image, byte label) => task switch
    {
        "fine" => new TaskRow { Task = task, Features = image, Label = $"fine:{Images.ClassNames[label]}" },
        "footwear" => new TaskRow { Task = task, Features = ImageViews.Rotated(image), Label = $"footwear:{Images.ClassNames[label]}" },
        "tops" => new TaskRow { Task = task, Features = ImageViews.Inverted(image), Label = $"tops:{Images.ClassNames[label]}" },
        "kind" => new TaskRow { Task = task, Features = ImageViews.UpsideDown(image), Label = $"kind:{KindNames[KindOfClass[label]]}" },
        _ => throw UnknownTask(task),
    };

    private static ArgumentOutOfRangeException UnknownTask(string task) =>
        new(nameof(task), task, $"Unknown task; the tasks of {ScenarioName} are {string.Join(", ", Tasks)}.");
}
