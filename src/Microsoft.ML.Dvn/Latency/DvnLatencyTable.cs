using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Dvn;

/// <summary>
/// Measured prediction latency of every (task, level) of a DVN on one machine: what a latency budget
/// (<see cref="DvnBudgetUnit.Microseconds"/>) is compared with. Made by <see cref="DvnTransformer.MeasureLatency"/>;
/// saved as JSON beside the model (<see cref="Save(string)"/>, <see cref="PathBeside"/>) and given back to a loaded
/// model with <see cref="DvnTransformer.SetLatencies"/>. Not part of the model file: latency belongs to a machine.
/// </summary>
/// <example>
/// <code>
/// var table = dvn.MeasureLatency(sampleRows);                   // on the serving machine; attaches the table
/// table.Save(DvnLatencyTable.PathBeside("model.zip"));          // model.zip.latency.json
/// // later, in the service, on the same machine:
/// loadedDvn.SetLatencies(DvnLatencyTable.Load(DvnLatencyTable.PathBeside("model.zip")));
/// </code>
/// </example>
public sealed class DvnLatencyTable
{
    private const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <param name="machine">Where the latencies were measured.</param>
    /// <param name="measuredAt">When.</param>
    /// <param name="percentile">The percentile of the rounds reported, in (0, 100].</param>
    /// <param name="rounds">The counted rounds, at least 1.</param>
    /// <param name="levels">One entry a (task, level): positive, finite times.</param>
    public DvnLatencyTable(DvnMachine machine, DateTimeOffset measuredAt, double percentile, int rounds, IEnumerable<DvnLevelLatency> levels)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(levels);
        if (!(percentile > 0 && percentile <= 100))
            throw new ArgumentOutOfRangeException(nameof(percentile), $"The percentile is {percentile}; expected a number in (0, 100].");
        if (rounds < 1)
            throw new ArgumentOutOfRangeException(nameof(rounds), $"The rounds are {rounds}; expected at least 1.");
        var list = levels.ToArray();
        for (int i = 0; i < list.Length; i++)
        {
            var l = list[i] ?? throw new ArgumentNullException(nameof(levels), $"levels[{i}] is null.");
            void Require(bool ok, string field, object value, string expected)
            {
                if (!ok)
                    throw new ArgumentOutOfRangeException(nameof(levels), $"levels[{i}].{field} is {value}; expected {expected}.");
            }
            Require(l.Task >= 1, nameof(l.Task), l.Task, "a task key, 1 or more");
            Require(l.Level >= 1, nameof(l.Level), l.Level, "a level, 1 or more");
            Require(double.IsFinite(l.SingleRowMicroseconds) && l.SingleRowMicroseconds > 0, nameof(l.SingleRowMicroseconds), l.SingleRowMicroseconds, "a positive number");
            Require(double.IsFinite(l.BatchMicroseconds) && l.BatchMicroseconds > 0, nameof(l.BatchMicroseconds), l.BatchMicroseconds, "a positive number");
            Require(l.BatchSize >= 1, nameof(l.BatchSize), l.BatchSize, "at least 1");
            Require(list.Take(i).All(o => o.Task != l.Task || o.Level != l.Level), "(Task, Level)", $"({l.Task}, {l.Level})", "a pair not listed before");
        }
        Machine = machine;
        MeasuredAt = measuredAt;
        Percentile = percentile;
        Rounds = rounds;
        Levels = list;
    }

    /// <summary>Where the latencies were measured.</summary>
    public DvnMachine Machine { get; }

    /// <summary>When they were measured.</summary>
    public DateTimeOffset MeasuredAt { get; }

    /// <summary>The percentile of the rounds' times every entry reports (nearest rank; 50 is the median).</summary>
    public double Percentile { get; }

    /// <summary>The counted rounds behind every entry.</summary>
    public int Rounds { get; }

    /// <summary>One entry a (task, level).</summary>
    public IReadOnlyList<DvnLevelLatency> Levels { get; }

    /// <summary>The entry of (task, level), or null when the table has none.</summary>
    /// <param name="task">The task key (1-based).</param>
    /// <param name="level">The level (1-based).</param>
    public DvnLevelLatency? Find(int task, int level) => Levels.FirstOrDefault(l => l.Task == task && l.Level == level);

    /// <summary>Where a model's latency table is kept by convention: the model's path followed by ".latency.json".</summary>
    /// <param name="modelPath">The model file.</param>
    public static string PathBeside(string modelPath) => modelPath + ".latency.json";

    /// <summary>Writes the table as JSON (UTF-8): the machine, the time, the percentile, the rounds and every entry.</summary>
    public void Save(string path)
    {
        using var file = File.Create(path);
        Save(file);
    }

    /// <summary>Writes the table as JSON (UTF-8).</summary>
    public void Save(Stream stream) => JsonSerializer.Serialize(stream,
        new Stored(FormatVersion, Machine, MeasuredAt, Percentile, Rounds, Levels.ToArray()), Json);

    /// <summary>Reads a table written by <see cref="Save(string)"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a table; the message names the field.</exception>
    public static DvnLatencyTable Load(string path)
    {
        using var file = File.OpenRead(path);
        return Load(file);
    }

    /// <summary>Reads a table written by <see cref="Save(Stream)"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is not such a table; the message names the field.</exception>
    public static DvnLatencyTable Load(Stream stream)
    {
        Stored? stored;
        try
        {
            stored = JsonSerializer.Deserialize<Stored>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Not a DVN latency table: {e.Message}", e);
        }
        if (stored is null)
            throw new InvalidDataException("Not a DVN latency table: the JSON is null.");
        if (stored.Version != FormatVersion)
            throw new InvalidDataException($"DVN latency table: field 'version' is {stored.Version}; this Microsoft.ML.Dvn reads version {FormatVersion}.");
        if (stored.Machine is null || stored.Levels is null)
            throw new InvalidDataException($"DVN latency table: field '{(stored.Machine is null ? "machine" : "levels")}' is missing.");
        try
        {
            return new DvnLatencyTable(stored.Machine, stored.MeasuredAt, stored.Percentile, stored.Rounds, stored.Levels);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"DVN latency table: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"p{Percentile} of {Rounds} rounds on {Machine}, {MeasuredAt:u}: {Levels.Count} levels");

    private sealed record Stored(int Version, DvnMachine? Machine, DateTimeOffset MeasuredAt, double Percentile, int Rounds, DvnLevelLatency[]? Levels);
}
