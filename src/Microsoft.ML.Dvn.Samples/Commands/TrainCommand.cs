using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples.Commands;

/// <summary>
/// The first thing to run: trains a DVN on the three tasks of the fmnist-3tasks scenario (by default a small MLP for a
/// few epochs, under a minute on two cores), prints the accuracy and size of every (task, level), and saves the model.
/// </summary>
internal static class TrainCommand
{
    public const string Usage =
        "train [--data fmnist|generated] [--architecture mlp|cnn] [--epochs N] [--rows N] [--seed S] [--threads N] [--out model.zip]\n" +
        "    Trains a DVN (3 tasks, 3 units, 3 levels) on Fashion-MNIST if installed, generated images otherwise.\n" +
        "    Defaults: mlp, 3 epochs, all 20,000 training images of each task, seed 1, libtorch's threads, dvn-model.zip.";

    public static void Run(Arguments args)
    {
        string data = DataSource.Choose(args.Choice("data", DataSource.FashionMnistName, DataSource.GeneratedName));
        string architecture = args.Choice("architecture", Architectures.Mlp, Architectures.Cnn) ?? Architectures.Mlp;
        int epochs = args.Integer("epochs", minimum: 1) ?? 3;
        int? rows = args.Integer("rows", minimum: 10);
        int seed = args.Integer("seed", minimum: 0) ?? 1;
        int? threads = args.Integer("threads", minimum: 1);
        string output = args.Text("out") ?? "dvn-model.zip";
        args.RejectUnknown();

        var scenario = Progress.Step(DataSource.Describe(data), () => DataSource.Load(data));
        var tasks = Scenario.TaskNames;
        var train = tasks.SelectMany(t => scenario.TrainRows(t, rows)).ToList();
        int rowsPerTask = train.Count / tasks.Count;
        var options = new DvnEstimator.Options
        {
            Architecture = Architectures.Full(architecture),
            NumberOfEpochs = epochs,
            Seed = seed,
            NumberOfThreads = threads,
            EpochCompleted = Progress.Epochs("DVN", tasks),
        };
        Console.WriteLine($"Training a DVN on {scenario.Images.Name}: tasks {string.Join(", ", tasks)} with {rowsPerTask:N0} training images each; " +
                          $"{options.Architecture}, {Architectures.Units} units and levels, {Wording.Count(epochs, "epoch")}, seed {seed}.");
        var ml = new MLContext(seed);
        var labels = tasks.SelectMany(scenario.Labels).ToArray();
        var pipeline = Progress.Step("Training", () => DvnPipeline.Fit(ml, tasks, labels, train, options));

        var test = ml.Data.LoadFromEnumerable(tasks.SelectMany(t => scenario.TestRows(t, limit: null)));
        var levels = Progress.Step("Testing every (task, level) on the 10,000 test images", () => pipeline.Dvn.EvaluateLevels(pipeline.Prepare(test)));
        LevelTable.Print(levels, tasks);
        Console.WriteLine($"The physical network stores {pipeline.Dvn.StoredParameterCount:N0} parameters; " +
                          "each (task, level) reads only the part counted above.");

        pipeline.Save(ml, output);
        new ModelInfo(data, architecture, epochs, seed, rowsPerTask).Save(output);
        Console.WriteLine($"Saved {output} ({new FileInfo(output).Length:N0} bytes) and {ModelInfo.PathFor(output)}.");
        Console.WriteLine($"Next: predict --model {output} --task fine --budget {pipeline.Dvn.GetLevels(1)[0].ParameterCount}");
    }
}
