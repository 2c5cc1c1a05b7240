using System.Text.Json;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// Models saved by earlier versions of the library must keep loading. Fixtures/ holds a pipeline saved by
/// Microsoft.ML.Dvn 0.1.0 (model format 1) and what it predicted then; every later version must load it and predict
/// the same. To write the fixtures anew (only when adding one for a new format version), run this test with
/// DVN_WRITE_FIXTURES=1.
/// </summary>
[TestClass]
public sealed class ModelCompatibilityTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    [TestMethod]
    public void APipelineSavedByVersion010LoadsAndPredictsAsItDidThen()
    {
        string model = Path.Combine(Directory, "pipeline-v0.1.0.zip"), expectedFile = Path.Combine(Directory, "pipeline-v0.1.0.predictions.json");
        var ml = new MLContext(seed: 1);
        if (Environment.GetEnvironmentVariable("DVN_WRITE_FIXTURES") == "1")
        {
            WriteFixtures(ml, model, expectedFile);
            Assert.Inconclusive($"fixtures written to {Directory}; copy them to the source tree's Fixtures folder");
        }
        var rows = new TrainedPipelineRows().Rows;
        var expected = JsonSerializer.Deserialize<Expected>(File.ReadAllText(expectedFile))!;

        var loaded = ml.Model.Load(model, out _);
        var actual = Predictions.Of(loaded.Transform(ml.Data.LoadFromEnumerable(rows)));

        CollectionAssert.AreEqual(expected.Labels, actual.Labels);
        CollectionAssert.AreEqual(expected.Levels, actual.Levels);
        CollectionAssert.AreEqual(expected.ParameterCounts, actual.ParameterCounts);
        // The sizes and levels follow from the fixture's architecture, not from what the file says about itself: MLP
        // 10-30-30, K = L = 3 (units of 10), classes 3, 2, 4; the budgets NaN, 1,000,000, 330 and 850 pick levels 3, 3,
        // 1 and 2 (levels hold 302 to 324, 802 to 844 and 1,502 to 1,564 parameters).
        int[] classes = { 3, 2, 4 };
        long Size(int task, int level) => 10 * 10 * level + 10 * level * 10 * level + 4 * 2 * 10 * level + (10 * level + 1) * classes[task - 1];
        var dvn = MlNetTasks.DvnOf(loaded);
        for (int t = 1; t <= 3; t++)
            CollectionAssert.AreEqual(new[] { Size(t, 1), Size(t, 2), Size(t, 3) }, dvn.GetLevels(t).Select(l => l.ParameterCount).ToArray(), $"task {t}");
        var levels = rows.Select((_, i) => (uint)(i % 4) switch { 2 => 1u, 3 => 2u, _ => 3u }).ToList();
        CollectionAssert.AreEqual(levels, actual.Levels);
        CollectionAssert.AreEqual(rows.Select((r, i) => Size(Array.IndexOf(MlNetTasks.TaskNames, r.Task) + 1, (int)levels[i])).ToList(), actual.ParameterCounts);
        Assert.AreEqual(DvnTaskOrder.TaskKeys, dvn.Training.TaskOrder, "a model of format 1 has its tasks in key order");
        CollectionAssert.AreEqual(new[] { 1.0, 1.0, 1.0 }, dvn.Training.LevelWeights.ToArray());
        for (int i = 0; i < rows.Count; i++)
            for (int k = 0; k < expected.Scores[i].Length; k++)
                Assert.AreEqual(expected.Scores[i][k], actual.Scores[i][k], 1e-5, $"row {i}, score {k} (other CPUs may round the last bits differently)");
    }

    private static void WriteFixtures(MLContext ml, string model, string expectedFile)
    {
        var trained = new TrainedPipeline(ml, epochs: 4);
        System.IO.Directory.CreateDirectory(Directory);
        ml.Model.Save(trained.Model, trained.Data.Schema, model);
        var predictions = Predictions.Of(trained.Model.Transform(ml.Data.LoadFromEnumerable(new TrainedPipelineRows().Rows)));
        File.WriteAllText(expectedFile, JsonSerializer.Serialize(new Expected(predictions.Scores, predictions.Labels, predictions.Levels, predictions.ParameterCounts)));
    }

    /// <summary>The fixture's rows: generated, with budgets that pick every level of the fixture model.</summary>
    private sealed class TrainedPipelineRows
    {
        public List<TaskRow> Rows { get; } = MlNetTasks.Rows(8, seed: 9).Select((r, i) =>
        {
            r.MemoryBudget = (i % 4) switch { 0 => double.NaN, 1 => 1_000_000, 2 => 330, _ => 850 };
            return r;
        }).ToList();
    }

    private sealed record Expected(List<float[]> Scores, List<string> Labels, List<uint> Levels, List<long> ParameterCounts);
}
