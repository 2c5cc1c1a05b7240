using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// Rows gathered for one run of the network, and their results: the buffers of one cursor or one row, reused
/// from batch to batch. Not thread-safe; every cursor has its own.
/// </summary>
internal sealed class PredictionBatch
{
    private readonly DvnModel _model;
    private readonly float[] _features;
    private readonly int[] _tasks;
    private readonly int[] _levels;
    private readonly float[] _probabilities;
    private readonly int _featureLength;

    public PredictionBatch(DvnModel model, int capacity)
    {
        _model = model;
        _featureLength = model.Network.InputSize;
        _features = new float[capacity * _featureLength];
        _tasks = new int[capacity];
        _levels = new int[capacity];
        _probabilities = new float[capacity * model.Predictor.MaxClasses];
    }

    public int Capacity => _tasks.Length;

    public int Count { get; private set; }

    public void Clear() => Count = 0;

    /// <summary>Adds a row: its features are read into the batch, its task and budgets pick the level.</summary>
    public void Add(Action<Span<float>, long> readFeatures, ulong taskKey, in RowBudget budget, long row)
    {
        int networkTask = _model.NetworkTask(taskKey);
        if (networkTask == 0)
            throw new InvalidOperationException(taskKey == 0
                ? $"Column '{_model.Columns.Task}', row {row}: the task key is missing (0), a value MapValueToKey did not know. Every row needs a task the model was trained on."
                : $"Column '{_model.Columns.Task}', row {row}: the model does not serve task {_model.DescribeTask(taskKey)}; " +
                  $"it serves {_model.DescribeServedTasks()}.");
        int level = BudgetRule.Level(_model, networkTask, budget, row);
        var features = _features.AsSpan(Count * _featureLength, _featureLength);
        readFeatures(features, row);
        ColumnReaders.CheckFinite(features, _model.Columns.Features, row);
        _tasks[Count] = networkTask;
        _levels[Count] = level;
        Count++;
    }

    /// <summary>Runs the network on the rows added since <see cref="Clear"/>.</summary>
    public void Run()
    {
        if (Count > 0)
            _model.Predictor.Predict(_features, _tasks.AsSpan(0, Count), _levels.AsSpan(0, Count), _probabilities);
    }

    /// <summary>The Score vector of row i: its task's class probabilities at their label keys, 0 elsewhere.</summary>
    public void Score(int i, ref VBuffer<float> score)
    {
        var editor = VBufferEditor.Create(ref score, _model.Labels.Count);
        editor.Values.Clear();
        var classes = _model.Task(_tasks[i]).Classes;
        var probabilities = Row(i);
        for (int c = 0; c < classes.Length; c++)
            editor.Values[(int)classes[c] - 1] = probabilities[c];
        score = editor.Commit();
    }

    /// <summary>The label key of row i's most probable class (the first one on ties).</summary>
    public uint PredictedLabel(int i)
    {
        var probabilities = Row(i);
        int best = 0;
        for (int c = 1; c < probabilities.Length; c++)
            if (probabilities[c] > probabilities[best])
                best = c;
        return _model.Task(_tasks[i]).Classes[best];
    }

    /// <summary>Row i's level as users see it.</summary>
    public uint Level(int i) => (uint)Descriptor(i).Level;

    /// <summary>The parameters row i's prediction read.</summary>
    public long ParameterCount(int i) => Descriptor(i).ParameterCount;

    private LevelDescriptor Descriptor(int i) => _model.Task(_tasks[i]).Levels[_levels[i] - 1];

    private ReadOnlySpan<float> Row(int i) =>
        _probabilities.AsSpan(i * _model.Predictor.MaxClasses, _model.Task(_tasks[i]).Classes.Length);
}
