using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// What a DVN trainer sees of its training data, without training: the tasks by name in key order, the feature length
/// and every task's number of classes. A sweep reads it through <see cref="DvnEstimator.Options.Probe"/>, after the
/// pipeline's own transforms, so that it knows the tasks whatever the pipeline does to make its task column.
/// </summary>
/// <param name="TaskNames">Task key k's name at index k-1 (<see cref="KeyDomain.Name"/>).</param>
/// <param name="FeatureLength">Values in a feature vector.</param>
/// <param name="ClassCounts">Task key k's classes in the data at index k-1.</param>
internal sealed record DvnDataSummary(IReadOnlyList<string> TaskNames, int FeatureLength, IReadOnlyList<int> ClassCounts)
{
    /// <summary>Checks the columns as Fit does and reads the task and label columns once (no features).</summary>
    public static DvnDataSummary Read(IDataView data, DvnEstimator.Options options, CancellationToken cancellation)
    {
        var schema = data.Schema;
        var features = InputSchema.Features(schema, options.FeatureColumnName, options.Architecture.RequiredFeatureLength);
        var label = InputSchema.Key(schema, options.LabelColumnName, "label");
        var task = InputSchema.Task(schema, options.TaskColumnName);
        var tasks = task is DataViewSchema.Column column ? new KeyDomain(InputSchema.KeyCount(column), KeyValues.Of(column)) : new KeyDomain(1, null);
        var counts = TaskCounts.Read(data, task, label, tasks.Count, cancellation);
        return new DvnDataSummary(
            Enumerable.Range(1, tasks.Count).Select(k => tasks.Name((ulong)k)).ToArray(),
            ((VectorDataViewType)features.Type).Size,
            counts.Labels.Select(l => l.Count).ToArray());
    }
}
