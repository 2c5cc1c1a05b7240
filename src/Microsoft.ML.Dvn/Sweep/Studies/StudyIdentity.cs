using System.Text.Json;

namespace Microsoft.ML.Dvn.Sweep.Studies;

/// <summary>
/// What a study was created for, in three parts compared one by one: the settings that decide the trials, the
/// configurations the search space draws, and the data as the DVN sees it. Each part is a list of lines.
/// </summary>
internal sealed record StudyIdentity(IReadOnlyList<string> Settings, IReadOnlyList<string> SearchSpace, IReadOnlyList<string> Data)
{
    /// <summary>The identity of a sweep about to run: what decides its trials' results.</summary>
    public static StudyIdentity For(DvnSweepSettings settings, int seed, int? threadsPerTrial, int maximumEpochs, DvnSweepParameters baseOptions,
        IReadOnlyList<DvnSweepParameters> configurations, Pipeline.DvnDataSummary data, long rows) => new(
        new[]
        {
            $"strategy {settings.Strategy}", $"seed {seed}", $"trials {settings.MaximumTrials}", $"halving factor {settings.HalvingFactor}",
            $"evaluation {settings.Evaluation}, sampling key {settings.Evaluation.SamplingKeyColumnName ?? "none"}",
            $"threads a trial {threadsPerTrial?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "libtorch's default"}",
            $"epochs at most {maximumEpochs}",
        },
        configurations.Prepend(baseOptions).Select((p, i) => $"{(i == 0 ? "base options" : $"trial {i}")}: {JsonSerializer.Serialize(p.ToDictionary())}").ToArray(),
        new[]
        {
            $"rows {rows}", $"tasks {string.Join(", ", data.TaskNames)}", $"classes {string.Join(", ", data.ClassCounts)}",
            $"features {data.FeatureLength}",
        });

    /// <summary>Null when <paramref name="stored"/> is the same; otherwise what differs, the first differing line of the first part that differs.</summary>
    public string? Difference(StudyIdentity stored) =>
        Differ("its settings differ", stored.Settings, Settings) ?? Differ("its search space differs", stored.SearchSpace, SearchSpace)
        ?? Differ("its data differs", stored.Data, Data);

    // part: the phrase that opens the message, with its verb agreeing ("its settings differ", "its data differs").
    private static string? Differ(string part, IReadOnlyList<string> stored, IReadOnlyList<string> now)
    {
        for (int i = 0; i < Math.Max(stored.Count, now.Count); i++)
        {
            string? was = i < stored.Count ? stored[i] : null, is_ = i < now.Count ? now[i] : null;
            if (was != is_)
                return $"{part}: it was created with '{was ?? "(nothing)"}' where this sweep has '{is_ ?? "(nothing)"}'";
        }
        return null;
    }
}
