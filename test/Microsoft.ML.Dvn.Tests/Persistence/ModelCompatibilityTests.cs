using System.Text.Json;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// Models saved by earlier versions of the library must keep loading. Fixtures/ holds the same pipeline saved by
/// Microsoft.ML.Dvn 0.1.0 (model format 1) and by 0.2.0 (format 2, written by this test at 0.2.0's commit 873f503),
/// each with what it predicted then; every later version must load them and predict the same, with the training they
/// record (0.2.0's default learning-rate schedule was Constant, whatever the default is now). To add a release's
/// fixture, run this test with DVN_WRITE_FIXTURES=1 at the release's commit and keep what it writes under the
/// release's name.
/// </summary>
[TestClass]
public sealed class ModelCompatibilityTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    [TestMethod]
    [DataRow("0.1.0")]
    [DataRow("0.2.0")]
    public void APipelineSavedByAnEarlierVersionLoadsAndPredictsAsItDidThen(string version)
    {
        string model = Path.Combine(Directory, $"pipeline-v{version}.zip"), expectedFile = Path.Combine(Directory, $"pipeline-v{version}.predictions.json");
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
        var (levels, counts) = FixtureLevels(rows);
        CollectionAssert.AreEqual(levels, actual.Levels, "levels the budget rule picks, from independently computed sizes");
        CollectionAssert.AreEqual(counts, actual.ParameterCounts, "independently computed parameter counts");
        var dvn = MlNetTasks.DvnOf(loaded);
        Assert.AreEqual(DvnTaskOrder.TaskKeys, dvn.Training.TaskOrder, "both versions trained the tasks in key order");
        CollectionAssert.AreEqual(new[] { 1.0, 1.0, 1.0 }, dvn.Training.LevelWeights.ToArray());
        Assert.AreEqual(DvnLearningRateSchedule.Constant, dvn.Training.LearningRateSchedule, "both versions' default schedule, as recorded");
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

    /// <summary>
    /// The level each row's budget selects and its size, computed from the fixture's shape alone (MLP 30-30 on 10
    /// features, tasks of 3, 2 and 4 classes, 3 units, 3 levels): level j of every task uses j units, i.e. w = 10j
    /// channels a layer, and reads 10w + w·w weights, two normalizations of 4w numbers and a head of c(w + 1).
    /// </summary>
    private static (List<uint> Levels, List<long> Counts) FixtureLevels(List<TaskRow> rows)
    {
        long Size(int classes, int level)
        {
            long w = 10 * level;
            return 10 * w + w * w + 2 * 4 * w + classes * (w + 1);
        }
        var levels = new List<uint>();
        var counts = new List<long>();
        foreach (var row in rows)
        {
            int classes = GeneratedTasks.ClassCounts[Array.IndexOf(MlNetTasks.TaskNames, row.Task)];
            int level = double.IsNaN(row.MemoryBudget) ? 3 : Enumerable.Range(1, 3).Last(j => j == 1 || Size(classes, j) <= row.MemoryBudget);
            levels.Add((uint)level);
            counts.Add(Size(classes, level));
        }
        return (levels, counts);
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
