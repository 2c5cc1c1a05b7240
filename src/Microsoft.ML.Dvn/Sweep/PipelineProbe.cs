using Microsoft.ML.Dvn.Pipeline;

namespace Microsoft.ML.Dvn.Sweep;

/// <summary>
/// What the DVN of the user's pipeline sees of the sweep's data: the pipeline is fitted with the base options and a
/// probe, so every transform before the DVN is fitted and applied, the DVN trainer reads its task and label columns,
/// reports them, and trains nothing. Any pipeline a plain Fit accepts can so be swept, whatever makes its task column.
/// </summary>
internal static class PipelineProbe
{
    public static DvnDataSummary Read(Func<DvnEstimator.Options, IEstimator<ITransformer>> pipeline, DvnEstimator.Options baseOptions,
        IDataView data, CancellationToken cancellation)
    {
        var options = baseOptions.Copy();
        options.Cancellation = cancellation;
        options.Probe = summary => throw new Reached(summary);
        try
        {
            TrialRunner.Fit(pipeline, options, data);
        }
        catch (Reached reached)
        {
            return reached.Summary;
        }
        throw new InvalidOperationException(
            "The sweep's pipeline was fitted without training a DVN with the options the sweep gave it: the factory must pass " +
            "its argument to mlContext.MulticlassClassification.Trainers.Dvn(options).");
    }

    // Thrown by the probe to stop the fit once the DVN trainer has reported what it sees.
    private sealed class Reached(DvnDataSummary summary) : Exception("The sweep's probe of the pipeline reached the DVN trainer.")
    {
        public DvnDataSummary Summary { get; } = summary;
    }
}
