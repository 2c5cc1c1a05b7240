using Microsoft.ML.Dvn.Latency;
using Microsoft.ML.Dvn.Model;
using Microsoft.ML.Dvn.Persistence;
using Microsoft.ML.Dvn.Pipeline;

namespace Microsoft.ML.Dvn;

public sealed partial class DvnTransformer
{
    // Replaced whole, never changed in place: a bound schema takes the current one when it is made.
    private volatile LevelLatencies? _latencies;

    /// <summary>
    /// The measured latencies that latency budgets (<see cref="DvnBudgetUnit.Microseconds"/>) are compared with, or null
    /// when none is attached. Set by <see cref="MeasureLatency"/> and <see cref="SetLatencies"/>; not saved with the
    /// model (latency belongs to a machine: save the table beside the model with <see cref="DvnLatencyTable.Save(string)"/>).
    /// </summary>
    public DvnLatencyTable? Latencies => _latencies?.Table;

    /// <summary>
    /// Measures, on this machine, the prediction latency of every (task, level) on <paramref name="sampleRows"/> (their
    /// feature column; tasks and budgets are not read), and attaches the table: from then on a row's latency budget picks
    /// the highest level whose single-row latency fits. Each round times every (task, level) on one row and on a batch of
    /// <see cref="DvnLatencyOptions.BatchSize"/> rows; warm-up rounds are dropped, and the table reports
    /// <see cref="DvnLatencyOptions.Percentile"/> of the counted rounds. Run it on the serving machine, with the threads
    /// the service will use, and not beside other heavy work.
    /// </summary>
    /// <remarks>
    /// Transform views, row mappers and PredictionEngines take the table attached when they are made: make them after
    /// measuring. Takes about (warm-up + rounds) x (tasks x levels) x (one row + one batch) prediction times.
    /// </remarks>
    /// <example>
    /// <code>
    /// DvnLatencyTable table = dvn.MeasureLatency(dvnInputRows);     // rows as the DVN sees them (Features column)
    /// foreach (var l in table.Levels)
    ///     Console.WriteLine($"task {l.Task} level {l.Level}: {l.SingleRowMicroseconds:F0} µs (p{table.Percentile})");
    /// </code>
    /// </example>
    /// <param name="sampleRows">Rows with the model's feature column (the rows the DVN transformer itself reads); the first
    /// <see cref="DvnLatencyOptions.BatchSize"/> are used, repeated when there are fewer.</param>
    /// <param name="options">Rounds, batch size and percentile; null for the defaults.</param>
    public DvnLatencyTable MeasureLatency(IDataView sampleRows, DvnLatencyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sampleRows);
        options ??= new DvnLatencyOptions();
        void Require(bool ok, string field, object value, string expected)
        {
            if (!ok)
                throw new ArgumentOutOfRangeException(nameof(options), $"DvnLatencyOptions.{field} is {value}; expected {expected}.");
        }
        Require(options.WarmupRounds >= 0, nameof(options.WarmupRounds), options.WarmupRounds, "0 or more");
        Require(options.Rounds >= 1, nameof(options.Rounds), options.Rounds, "at least 1");
        // The limits a model file's prediction batch has (Persistence/ModelLimits), for the same buffers.
        long valuesPerRow = (long)Model.Network.InputSize + Model.Predictor.MaxClasses;
        long largest = Math.Max(1, Math.Min(ModelLimits.MaxPredictionBatchSize, ModelLimits.MaxPredictionBatchValues / valuesPerRow));
        Require(options.BatchSize >= 1 && options.BatchSize <= largest, nameof(options.BatchSize), options.BatchSize, $"1 to {largest} rows");
        Require(options.Percentile > 0 && options.Percentile <= 100, nameof(options.Percentile), options.Percentile, "a number in (0, 100]");
        var table = LatencyMeasurement.Measure(Model, SampleFeatures(Model, sampleRows, Math.Max(options.BatchSize, 1)), options);
        _latencies = new LevelLatencies(Model, table);
        return table;
    }

    /// <summary>
    /// Attaches latencies measured before (<see cref="DvnLatencyTable.Load(string)"/>), or removes them (null). The table
    /// must have an entry for every (task, level) this transformer serves. It should come from this machine
    /// (<see cref="DvnLatencyTable.Machine"/> says where it was measured): latency does not carry over to other hardware.
    /// </summary>
    /// <exception cref="ArgumentException">The table lacks a (task, level) this transformer serves.</exception>
    public void SetLatencies(DvnLatencyTable? table) => _latencies = table is null ? null : new LevelLatencies(Model, table);

    // The latencies that views, mappers and engines made now compare latency budgets with.
    internal LevelLatencies? BoundLatencies => _latencies;

    // Up to `count` feature vectors of the sample rows, checked as prediction checks them.
    private static float[] SampleFeatures(DvnModel model, IDataView sampleRows, int count)
    {
        var column = InputSchema.Features(sampleRows.Schema, model.Columns.Features, model.Network.InputSize);
        int inputs = model.Network.InputSize;
        var values = new List<float>();
        using var cursor = sampleRows.GetRowCursor(new[] { column });
        var read = ColumnReaders.Features(cursor, column);
        var row = new float[inputs];
        while (values.Count < count * inputs && cursor.MoveNext())
        {
            read(row, cursor.Position);
            ColumnReaders.CheckFinite(row, column.Name, cursor.Position);
            values.AddRange(row);
        }
        if (values.Count == 0)
            throw new ArgumentException("The sample rows are empty; give at least one row with the model's features to measure latency on.", nameof(sampleRows));
        return values.ToArray();
    }
}
