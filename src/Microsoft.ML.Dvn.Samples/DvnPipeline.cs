using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples;

/// <summary>
/// The samples' pipeline around the DVN trainer: Task and Label to keys in a fixed order (tasks as listed, labels
/// task by task), the DVN, and PredictedLabel back to text. Fixed key orders make task key t the t-th listed task,
/// whatever order the training rows come in.
/// </summary>
internal sealed class DvnPipeline
{
    private readonly ITransformer[] _parts;
    private readonly int _dvnIndex;

    /// <summary>Wraps a fitted or loaded pipeline; it must hold exactly one DVN transformer.</summary>
    public DvnPipeline(ITransformer model)
    {
        Model = model;
        _parts = model is IEnumerable<ITransformer> chain ? chain.ToArray() : new[] { model };
        _dvnIndex = Array.FindIndex(_parts, p => p is DvnTransformer);
        if (_dvnIndex < 0 || _parts.Count(p => p is DvnTransformer) != 1)
            throw new InvalidDataException("The model is not a pipeline with one DVN transformer; train one with the 'train' command.");
    }

    public ITransformer Model { get; }

    public DvnTransformer Dvn => (DvnTransformer)_parts[_dvnIndex];

    /// <summary>Trains the pipeline on <paramref name="rows"/> of the listed tasks, whose labels are <paramref name="labels"/>.</summary>
    public static DvnPipeline Fit(MLContext ml, IReadOnlyList<string> tasks, IReadOnlyList<string> labels, IEnumerable<TaskRow> rows,
        DvnEstimator.Options options) =>
        new(Estimator(ml, tasks, labels, options).Fit(ml.Data.LoadFromEnumerable(rows)));

    /// <summary>The unfitted pipeline: keys in the fixed order, the DVN with <paramref name="options"/>, labels back to text.</summary>
    public static IEstimator<ITransformer> Estimator(MLContext ml, IReadOnlyList<string> tasks, IReadOnlyList<string> labels,
        DvnEstimator.Options options) =>
        ml.Transforms.Conversion.MapValueToKey("Task", keyData: Keys(ml, tasks))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", keyData: Keys(ml, labels)))
            .Append(ml.MulticlassClassification.Trainers.Dvn(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    public static DvnPipeline Load(MLContext ml, string path) => new(ml.Model.Load(path, out _));

    public void Save(MLContext ml, string path) => ml.Model.Save(Model, InputRows(ml).Schema, path);

    /// <summary>
    /// Writes the pipeline as an ONNX model with ML.NET's converter: inputs are the rows' columns (Features, Label, Task,
    /// MemoryBudget), outputs the pipeline's columns (Score.output, PredictedLabel.output as text, ...). Its DVN must
    /// serve one (task, level): an extracted sub-network.
    /// </summary>
    public void SaveOnnx(MLContext ml, string path)
    {
        using var file = File.Create(path);
        ml.Model.ConvertToOnnx(Model, InputRows(ml), file);
    }

    /// <summary>The rows as the DVN reads them (Task and Label as keys): what <see cref="DvnTransformer.EvaluateLevels"/> needs.</summary>
    public IDataView Prepare(IDataView rows) =>
        _parts.Take(_dvnIndex).Aggregate(rows, (data, part) => part.Transform(data));

    /// <summary>The same pipeline with another DVN transformer (an extracted sub-network) in place of this one's.</summary>
    public DvnPipeline With(DvnTransformer dvn) =>
        new(new TransformerChain<ITransformer>(_parts.Select((p, i) => i == _dvnIndex ? dvn : p).ToArray()));

    private static IDataView InputRows(MLContext ml) => ml.Data.LoadFromEnumerable(Array.Empty<TaskRow>());

    private static IDataView Keys(MLContext ml, IEnumerable<string> values) =>
        ml.Data.LoadFromEnumerable(values.Select(v => new KeyValue { Value = v }));

    private sealed class KeyValue
    {
        public string Value { get; set; } = "";
    }
}
