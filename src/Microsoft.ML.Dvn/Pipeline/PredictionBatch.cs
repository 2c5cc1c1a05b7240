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
    private readonly long[] _rows;
    private readonly float[] _probabilities;
    private readonly int _featureLength;
    // Every served task's class slots in the Score vector in increasing order, and the class each slot holds: the
    // indices of a sparse Score.
    private readonly (int[] Slots, int[] Classes)[] _scoreSlots;

    public PredictionBatch(DvnModel model, int capacity)
    {
        _model = model;
        _featureLength = model.Network.InputSize;
        _features = new float[checked(capacity * _featureLength)];
        _tasks = new int[capacity];
        _levels = new int[capacity];
        _rows = new long[capacity];
        _probabilities = new float[checked(capacity * model.Predictor.MaxClasses)];
        _scoreSlots = model.Served.Select(task =>
        {
            var order = Enumerable.Range(0, task.Classes.Length).OrderBy(c => task.Classes[c]).ToArray();
            return (order.Select(c => (int)task.Classes[c] - 1).ToArray(), order);
        }).ToArray();
    }

    /// <summary>
    /// The longest Score vector written dense (65,536 slots, 256 KB a row); a longer one is written sparse, with only
    /// the row's task's classes, so that a label key type of millions of keys (which costs a model file nothing when it
    /// has no key values) does not cost every row a buffer of that size.
    /// </summary>
    public const int MaxDenseScoreLength = 1 << 16;

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
        var features = _features.AsSpan(checked(Count * _featureLength), _featureLength);
        readFeatures(features, row);
        ColumnReaders.CheckFinite(features, _model.Columns.Features, row);
        _tasks[Count] = networkTask;
        _levels[Count] = level;
        _rows[Count] = row;
        Count++;
    }

    /// <summary>Runs the network on the rows added since <see cref="Clear"/>.</summary>
    /// <exception cref="InvalidOperationException">A row's class probabilities are not finite; the message names the row.</exception>
    public void Run()
    {
        if (Count == 0)
            return;
        _model.Predictor.Predict(_features, _tasks.AsSpan(0, Count), _levels.AsSpan(0, Count), _probabilities);
        for (int i = 0; i < Count; i++)
            foreach (float p in Row(i))
                if (!float.IsFinite(p))
                    throw NonFiniteScore(_model, $"row {_rows[i]}", _tasks[i], Descriptor(i).Level, p);
    }

    /// <summary>
    /// The error for a row whose features are finite but whose class probabilities are not: its values overflowed
    /// single precision inside the network (features of about 1e38 do), or a model's weights did.
    /// </summary>
    public static InvalidOperationException NonFiniteScore(DvnModel model, string row, int networkTask, int level, float value) => new(
        $"Column '{model.Columns.Features}', {row}: the prediction of task {model.DescribeTask((ulong)model.Task(networkTask).Key)} at level {level} " +
        $"is not a number (a class probability of {value}): the features are finite, but they overflow single precision inside the " +
        "network (values near 1e38 and above do). Scale the features as in training (e.g. NormalizeMinMax) and keep them far below that.");

    /// <summary>The Score vector of row i: its task's class probabilities at their label keys, 0 elsewhere.</summary>
    public void Score(int i, ref VBuffer<float> score)
    {
        var probabilities = Row(i);
        if (_model.Labels.Count > MaxDenseScoreLength)
        {
            var (slots, classes) = _scoreSlots[_tasks[i] - 1];
            var sparse = VBufferEditor.Create(ref score, _model.Labels.Count, slots.Length, requireIndicesOnDense: true);
            for (int s = 0; s < slots.Length; s++)
            {
                sparse.Indices[s] = slots[s];
                sparse.Values[s] = probabilities[classes[s]];
            }
            score = sparse.Commit();
            return;
        }
        var editor = VBufferEditor.Create(ref score, _model.Labels.Count);
        editor.Values.Clear();
        var keys = _model.Task(_tasks[i]).Classes;
        for (int c = 0; c < keys.Length; c++)
            editor.Values[(int)keys[c] - 1] = probabilities[c];
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
        _probabilities.AsSpan(checked(i * _model.Predictor.MaxClasses), _model.Task(_tasks[i]).Classes.Length);
}
