namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>A small fitted pipeline (keys, normalization, DVN, key-to-value) and rows whose budgets pick every level.</summary>
internal sealed class TrainedPipeline
{
    public TrainedPipeline(MLContext ml, int epochs = 8)
    {
        Ml = ml;
        var training = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(150, seed: 1));
        Model = MlNetTasks.Pipeline(ml, MlNetTasks.Options(epochs)).Fit(training);
        Dvn = MlNetTasks.DvnOf(Model);
        Rows = MlNetTasks.Rows(40, seed: 2);
        for (int i = 0; i < Rows.Count; i++)
        {
            int task = Array.IndexOf(MlNetTasks.TaskNames, Rows[i].Task) + 1;
            var levels = Dvn.GetLevels(task);
            Rows[i].MemoryBudget = (i / 3 % 4) switch { 3 => double.NaN, var j => levels[j].ParameterCount };
        }
    }

    public MLContext Ml { get; }

    public ITransformer Model { get; }

    public DvnTransformer Dvn { get; }

    /// <summary>Test rows of all three tasks; their budgets select level 1, 2, 3 and none (NaN) in turn.</summary>
    public List<TaskRow> Rows { get; }

    public IDataView Data => Ml.Data.LoadFromEnumerable(Rows);
}
