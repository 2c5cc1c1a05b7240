using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>The generated three-task problem as ML.NET data, and the pipeline around the DVN trainer.</summary>
internal static class MlNetTasks
{
    public static readonly string[] TaskNames = { "alpha", "beta", "gamma" };

    /// <summary><paramref name="rowsPerTask"/> rows of each task, tasks interleaved, every budget NaN.</summary>
    public static List<TaskRow> Rows(int rowsPerTask, int seed)
    {
        var perTask = Enumerable.Range(1, 3).Select(t => GeneratedTasks.Rows(t, rowsPerTask, seed)).ToArray();
        var rows = new List<TaskRow>();
        for (int i = 0; i < rowsPerTask; i++)
            for (int t = 0; t < 3; t++)
                rows.Add(new TaskRow
                {
                    Features = perTask[t].Features[i],
                    Label = $"{TaskNames[t]}:{perTask[t].Labels[i]}",
                    Task = TaskNames[t],
                });
        return rows;
    }

    public static DvnEstimator.Options Options(int epochs = 15, int seed = 1) => new()
    {
        Architecture = DvnArchitecture.Mlp(30, 30),
        NumberOfEpochs = epochs,
        BatchSize = 32,
        LearningRate = 0.01,
        Seed = seed,
    };

    /// <summary>MapValueToKey(Task, Label) -> NormalizeMinMax(Features) -> Dvn -> MapKeyToValue(PredictedLabel).</summary>
    public static IEstimator<ITransformer> Pipeline(MLContext ml, DvnEstimator.Options options) =>
        ml.Transforms.Conversion.MapValueToKey("Task")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Dvn(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    public static DvnTransformer Dvn(ITransformer pipeline) => DvnOf(pipeline);

    /// <summary>The DVN transformer inside a fitted pipeline.</summary>
    public static DvnTransformer DvnOf(ITransformer pipeline) =>
        pipeline as DvnTransformer ?? ((IEnumerable<ITransformer>)pipeline).Select(DvnOfOrNull).Single(d => d is not null)!;

    private static DvnTransformer? DvnOfOrNull(ITransformer transformer) =>
        transformer as DvnTransformer ?? (transformer is IEnumerable<ITransformer> chain ? chain.Select(DvnOfOrNull).SingleOrDefault(d => d is not null) : null);

    /// <summary>Every row of a scalar column, read through a cursor.</summary>
    public static List<T> Column<T>(IDataView data, string name) => Read<T, T>(data, name, v => v);

    /// <summary>Every row of a vector column, copied out of the cursor's reused buffer.</summary>
    public static List<float[]> Vectors(IDataView data, string name) =>
        Read<VBuffer<float>, float[]>(data, name, v => v.DenseValues().ToArray());

    private static List<TOut> Read<T, TOut>(IDataView data, string name, Func<T, TOut> copy)
    {
        var values = new List<TOut>();
        var column = data.Schema[name];
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(copy(value));
        }
        return values;
    }
}
