namespace Microsoft.ML.Dvn.Sweep;

/// <summary>
/// How trials are ranked, for halving's promotions and for <see cref="DvnSweepResult.Best"/> alike: by score, highest
/// first, ties to the lower id; a trial the objective cannot score (NaN, or the objective threw) ranks after every
/// scored one, with the reason. Halving may still promote such a trial when too few are scored to fill its places;
/// <see cref="Best"/> never names one.
/// </summary>
internal static class TrialRanking
{
    public sealed record Ranked(DvnSweepTrial Trial, double Score, string? Error);

    public static IReadOnlyList<Ranked> Rank(IReadOnlyList<DvnSweepTrial> trials, DvnSweepObjective objective)
    {
        var field = trials.Select(t => t.Levels).ToArray();
        return trials.Select(t => Score(t, objective, field))
            .OrderBy(r => double.IsNaN(r.Score) ? 1 : 0).ThenByDescending(r => double.IsNaN(r.Score) ? 0 : r.Score).ThenBy(r => r.Trial.Id)
            .ToArray();
    }

    /// <summary>The first of <see cref="Rank"/>'s order when it has a score; null when no trial has one.</summary>
    public static DvnSweepTrial? Best(IReadOnlyList<DvnSweepTrial> trials, DvnSweepObjective objective) =>
        Rank(trials, objective).FirstOrDefault() is { Score: var score } best && !double.IsNaN(score) ? best.Trial : null;

    private static Ranked Score(DvnSweepTrial trial, DvnSweepObjective objective, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field)
    {
        try
        {
            return new Ranked(trial, objective.Score(trial.Levels, field), null);
        }
        catch (Exception e)
        {
            return new Ranked(trial, double.NaN, $"the objective '{objective.Name}' failed: {e.GetType().Name}: {e.Message}");
        }
    }
}
