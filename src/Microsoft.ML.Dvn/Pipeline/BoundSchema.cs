using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Latency;
using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// A model bound to one input schema: the input columns it reads (checked up front) and the output schema, which is
/// the input's columns followed by Score, PredictedLabel, Level and ParameterCount (hiding input columns of the same names).
/// </summary>
internal sealed class BoundSchema
{
    public const int OutputCount = 4;
    public const int ScoreOutput = 0, PredictedLabelOutput = 1, LevelOutput = 2, ParameterCountOutput = 3;

    /// <param name="model">The model.</param>
    /// <param name="input">The input schema.</param>
    /// <param name="latencies">What latency budgets are compared with; null when the transformer has no latency table.</param>
    public BoundSchema(DvnModel model, DataViewSchema input, LevelLatencies? latencies = null)
    {
        Model = model;
        Input = input;
        Features = InputSchema.Features(input, model.Columns.Features, model.Network.InputSize);
        Task = InputSchema.Task(input, model.Columns.Task);
        if (Task is DataViewSchema.Column task)
            CheckTaskKeys(model, task);
        Budgets = model.Columns.Budgets
            .Select(b => (b.Unit, Column: InputSchema.Budget(input, b.Column, b.Unit)))
            .Where(b => b.Column is not null).Select(b => (b.Unit, b.Column!.Value)).ToArray();
        Latencies = latencies;
        Output = OutputSchema.Build(model, input);
    }

    public DvnModel Model { get; }

    public DataViewSchema Input { get; }

    public DataViewSchema Output { get; }

    public DataViewSchema.Column Features { get; }

    /// <summary>The task column; null for a model trained without one (every row is task 1).</summary>
    public DataViewSchema.Column? Task { get; }

    /// <summary>The budget columns the input has, with their units.</summary>
    public (DvnBudgetUnit Unit, DataViewSchema.Column Column)[] Budgets { get; }

    public LevelLatencies? Latencies { get; }

    /// <summary>The input columns a prediction reads.</summary>
    public DataViewSchema.Column[] PredictionInputs =>
        new DataViewSchema.Column?[] { Features, Task }.OfType<DataViewSchema.Column>().Concat(Budgets.Select(b => b.Column)).ToArray();

    /// <summary>For an output column index: which new column (0..3), or -1 for a column passed through from the input.</summary>
    public int OutputOf(int index) => index >= Input.Count ? index - Input.Count : -1;

    /// <summary>For each new column (0..3), whether it is among <paramref name="columns"/>.</summary>
    public bool[] ActiveOutputs(IEnumerable<DataViewSchema.Column> columns)
    {
        var active = new bool[OutputCount];
        foreach (var column in columns)
            if (OutputOf(column.Index) is int output and >= 0)
                active[output] = true;
        return active;
    }

    /// <summary>Whether any new column is among <paramref name="columns"/>.</summary>
    public bool NeedsPrediction(IEnumerable<DataViewSchema.Column> columns) => columns.Any(c => OutputOf(c.Index) >= 0);

    /// <summary>
    /// Whether an output column is active in a row over <paramref name="input"/>: a passed-through column as the input
    /// has it, a new one as <paramref name="active"/> (<see cref="ActiveOutputs"/>) says.
    /// </summary>
    public bool IsActive(DataViewSchema.Column column, DataViewRow input, bool[] active)
    {
        int output = OutputOf(column.Index);
        return output < 0 ? input.IsColumnActive(Input[column.Index]) : active[output];
    }

    /// <summary>
    /// The getter of an output column in a row over <paramref name="input"/>: a passed-through column's from the input,
    /// a new active one's from the row's prediction (<paramref name="batch"/>, at <paramref name="index"/>).
    /// </summary>
    public ValueGetter<TValue> Getter<TValue>(DataViewSchema.Column column, DataViewRow input, bool[] active,
        Func<PredictionBatch> batch, Func<int> index)
    {
        int output = OutputOf(column.Index);
        if (output < 0)
            return input.GetGetter<TValue>(Input[column.Index]);
        if (!active[output])
            throw new InvalidOperationException($"Column '{column.Name}' was not requested as active.");
        return OutputGetters.Create<TValue>(output, column.Name, batch, index);
    }

    /// <summary>The input columns behind the passed-through output columns among <paramref name="columns"/>.</summary>
    public IEnumerable<DataViewSchema.Column> PassedThrough(IEnumerable<DataViewSchema.Column> columns) =>
        columns.Where(c => OutputOf(c.Index) < 0).Select(c => Input[c.Index]);

    // Tasks are bound by key: the input's key k must be the task the model knows as key k. Where both the model and the
    // column have key values (task names), they must agree key by key; a column without them is bound by its key count.
    private static void CheckTaskKeys(DvnModel model, DataViewSchema.Column task)
    {
        const string Remedy = "map tasks to keys with the same MapValueToKey transformer as in training (save it in the same pipeline).";
        int taskKeys = InputSchema.KeyCount(task);
        if (taskKeys != model.Tasks.Count)
            throw new ArgumentOutOfRangeException("input",
                $"The task column '{task.Name}' has {taskKeys} keys, but the model was trained with {model.Tasks.Count}: {Remedy}");
        if (model.Tasks.Values is not KeyValues trained || KeyValues.Of(task) is not KeyValues given)
            return;
        var mismatches = Enumerable.Range(1, taskKeys).Select(k => (ulong)k)
            .Where(k => given.Describe(k) != trained.Describe(k))
            .Select(k => $"key {k} is '{given.Describe(k)}' here, '{trained.Describe(k)}' in training")
            .ToList();
        if (mismatches.Count > 0)
            throw new ArgumentOutOfRangeException("input",
                $"The task column '{task.Name}' maps its keys to other tasks than in training: {string.Join("; ", mismatches.Take(5))}" +
                $"{(mismatches.Count > 5 ? $"; and {mismatches.Count - 5} more" : "")}. Rows would go to the wrong task: {Remedy}");
    }
}
