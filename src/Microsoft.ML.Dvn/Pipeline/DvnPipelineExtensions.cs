namespace Microsoft.ML.Dvn;

/// <summary>Helpers for fitted pipelines that contain a <see cref="DvnTransformer"/>.</summary>
/// <example>
/// <code>
/// ITransformer model = pipeline.Fit(train);
/// foreach (var level in model.EvaluateDvnLevels(test))
///     Console.WriteLine($"{model.GetDvnTransformer().GetTaskName(level.Task)} level {level.Level}: {level.MicroAccuracy:P1}");
/// </code>
/// </example>
public static class DvnPipelineExtensions
{
    /// <summary>The DVN transformer of a fitted pipeline (searched through nested transformer chains).</summary>
    public static DvnTransformer GetDvnTransformer(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Find(model, null).Dvn ?? throw new ArgumentException("The model contains no DvnTransformer.", nameof(model));
    }

    /// <summary>
    /// <see cref="DvnTransformer.EvaluateLevels"/> for data in the pipeline's input form: the transforms before the DVN
    /// are applied first.
    /// </summary>
    public static IReadOnlyList<DvnLevelMetrics> EvaluateDvnLevels(this ITransformer model, IDataView data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var (dvn, input) = Find(model, data);
        return dvn is null
            ? throw new ArgumentException("The model contains no DvnTransformer.", nameof(model))
            : dvn.EvaluateLevels(input!);
    }

    // Walks the chain in order, transforming the data up to the DVN transformer.
    private static (DvnTransformer? Dvn, IDataView? Input) Find(ITransformer transformer, IDataView? data)
    {
        if (transformer is DvnTransformer dvn)
            return (dvn, data);
        if (transformer is IEnumerable<ITransformer> chain)
            foreach (var step in chain)
            {
                var found = Find(step, data);
                if (found.Dvn is not null)
                    return found;
                data = data is null ? null : step.Transform(data);
            }
        return (null, null);
    }
}
