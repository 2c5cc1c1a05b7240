using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Dvn.Samples.Sweep;

/// <summary>The sweep command's JSON report (docs/sweeps.md): every trial, the frontier of every task, the default options' levels.</summary>
/// <param name="FitsInThisProcess">Fits of the pipeline that this process ran for the sweep (the others' results came from the study, or other workers).</param>
/// <param name="TrainedEpochs">Epochs trained by all the sweep's fits, whoever ran them (continued halving rounds count their new epochs).</param>
internal sealed record SweepReport(
    string Scenario, string Architecture, string Strategy, int Seed, double ElapsedSeconds, double TrialSeconds, string Objective,
    string Evaluation, int TrainRowsPerTask, double? TimeBudgetMinutes, string? StopReason, int FitsInThisProcess, int TrainedEpochs, MachineInfo Machine,
    SweepDefault? Default, IReadOnlyList<SweepTrialReport> Trials, IReadOnlyDictionary<string, IReadOnlyList<SweepFrontierPoint>> Frontier,
    IReadOnlyDictionary<string, int?> Best, IReadOnlyList<DvnSweepSkipped> Skipped, IReadOnlyDictionary<string, DvnSizeRange> SizeRanges,
    SweepTestReport? Test)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>A report that <see cref="Save"/> wrote (the benchmarks' sweep-plots command draws it).</summary>
    public static SweepReport Load(string path) =>
        JsonSerializer.Deserialize<SweepReport>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} holds no sweep report.");

    public static SweepReport From(DvnSweepResult result, SweepPlan plan, string scenario, double? timeBudgetMinutes, string evaluation,
        int fitsInThisProcess, MachineInfo machine, SweepTestReport? test) => new(
        scenario, plan.Architecture, result.Strategy.ToString().ToLowerInvariant(), result.Seed, result.Elapsed.TotalSeconds,
        result.Trials.Append(result.BaseOptionsTrial).Where(t => t is not null).Sum(t => t!.FitSeconds + t.EvaluationSeconds),
        result.Objective.Name, evaluation, plan.TrainRowsPerTask, timeBudgetMinutes, result.StopReason, fitsInThisProcess, result.TrainedEpochs, machine,
        result.BaseOptionsTrial is { } d ? new SweepDefault(Options(d.Parameters), d.Epochs, d.Status.ToString().ToLowerInvariant(), Levels(d)) : null,
        result.Trials.Select(t => new SweepTrialReport(t.Id, t.Status.ToString().ToLowerInvariant(), Options(t.Parameters), t.Epochs,
            t.FitSeconds, t.EvaluationSeconds, Levels(t), t.Message)).ToArray(),
        result.Frontier.ToDictionary(f => f.TaskName, f => (IReadOnlyList<SweepFrontierPoint>)f.Points
            .Select(p => new SweepFrontierPoint(p.Trial, p.Level, p.ParameterCount, p.MicroAccuracy)).ToArray()),
        new[] { DvnSweepObjective.Frontier, DvnSweepObjective.MeanAccuracy }.ToDictionary(o => o.Name, o => result.Best(o)?.Id),
        result.Skipped, result.SizeRanges, test);

    private static IReadOnlyDictionary<string, object> Options(DvnSweepParameters parameters) => parameters.ToDictionary();

    private static IReadOnlyList<SweepLevel> Levels(DvnSweepTrial trial) =>
        trial.Levels.Select(l => new SweepLevel(l.TaskName, l.Level, l.ParameterCount, l.MicroAccuracy, l.MacroAccuracy, l.LogLoss)).ToArray();
}

/// <param name="Options">The base options' searched values (epochs: the sweep's largest).</param>
internal sealed record SweepDefault(IReadOnlyDictionary<string, object> Options, int Epochs, string Status, IReadOnlyList<SweepLevel> Levels);

internal sealed record SweepTrialReport(int Id, string Status, IReadOnlyDictionary<string, object> Options, int Epochs, double FitSeconds,
    double EvaluationSeconds, IReadOnlyList<SweepLevel> Levels, string? Message);

internal sealed record SweepLevel(string Task, int Level, long ParameterCount, double Accuracy, double MacroAccuracy, double LogLoss);

internal sealed record SweepFrontierPoint(int Trial, int Level, long ParameterCount, double Accuracy);
