using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples.Commands;

/// <summary>
/// Loads a saved model in a fresh MLContext and predicts test rows of one task under a memory budget: the budget picks
/// the highest level that fits.
/// </summary>
internal static class PredictCommand
{
    public const string Usage =
        "predict --model PATH --task fine|coarse|inverted --budget PARAMETERS [--rows K]\n" +
        "    Predicts the first K (default 10) test images of the task with the largest level that fits the budget.";

    public static void Run(Arguments args)
    {
        string modelPath = args.RequiredText("model");
        string task = args.Choice("task", FmnistThreeTasks.Tasks.ToArray()) ?? throw new UsageException("'predict' needs --task.");
        long budget = args.Long("budget", minimum: 1) ?? throw new UsageException("'predict' needs --budget (parameters).");
        int rows = args.Integer("rows", minimum: 1) ?? 10;
        args.RejectUnknown();

        var info = ModelInfo.Load(modelPath);
        var ml = new MLContext();
        var pipeline = DvnPipeline.Load(ml, modelPath);
        var levels = ServedLevels(pipeline.Dvn, task, modelPath);
        Console.WriteLine($"{modelPath}: {pipeline.Dvn.StoredParameterCount:N0} stored parameters; levels of {task}: " +
                          string.Join(", ", levels.Select(l => $"L{l.Level} {l.ParameterCount:N0}")) + ".");
        if (budget < levels[0].ParameterCount)
            throw new UsageException($"A budget of {budget:N0} parameters is below the smallest level of {task} " +
                                     $"(level {levels[0].Level}, {levels[0].ParameterCount:N0}); give at least that.");

        var scenario = DataSource.Load(info.Data);
        var input = scenario.TestRows(task, rows).Select(r => r.WithBudget(budget)).ToList();
        var predictions = ml.Data.CreateEnumerable<TaskPrediction>(pipeline.Model.Transform(ml.Data.LoadFromEnumerable(input)),
            reuseRowObject: false).ToList();

        Console.WriteLine($"Budget {budget:N0}: level {predictions[0].Level}, {predictions[0].ParameterCount:N0} parameters read " +
                          $"({info.Data} test images, {info.Architecture}).");
        Console.WriteLine($"  {"row",4}  {"true label",-22} {"predicted",-22} {"probability",11}");
        for (int i = 0; i < input.Count; i++)
            Console.WriteLine($"  {i,4}  {input[i].Label,-22} {predictions[i].PredictedLabel,-22} {predictions[i].Score.Max(),11:0.0%}" +
                              (input[i].Label == predictions[i].PredictedLabel ? "" : "   (wrong)"));
        Console.WriteLine($"{input.Where((r, i) => r.Label == predictions[i].PredictedLabel).Count()} of {input.Count} right.");
    }

    /// <summary>The task's levels, or a clear error when the model (an extracted sub-network, say) does not serve it.</summary>
    public static IReadOnlyList<DvnLevelInfo> ServedLevels(DvnTransformer dvn, string task, string modelPath)
    {
        int key = FmnistThreeTasks.Tasks.ToList().IndexOf(task) + 1;
        if (!dvn.Tasks.Contains(key))
            throw new UsageException($"{modelPath} does not serve task {task}; it serves " +
                                     $"{string.Join(", ", dvn.Tasks.Select(t => FmnistThreeTasks.Tasks[t - 1]))}.");
        return dvn.GetLevels(key);
    }
}
