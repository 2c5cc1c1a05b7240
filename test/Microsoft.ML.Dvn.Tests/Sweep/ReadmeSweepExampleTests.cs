using System.Runtime.CompilerServices;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Sweep;

/// <summary>The README's sweep example, verbatim, run on small generated data (so it compiles and works as written).</summary>
[TestClass]
public sealed class ReadmeSweepExampleTests
{
    [TestMethod]
    public void TheReadmeSweepExampleRunsAsWritten()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(50, seed: 1));
        IDataView testData = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(20, seed: 2));
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            // --- README: Sweep ---
            var sweep = new DvnSweep(ml,
                options => ml.Transforms.Conversion.MapValueToKey("TaskKey", "Task")   // the pipeline makes its own task column
                    .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
                    .Append(ml.MulticlassClassification.Trainers.Dvn(options)),
                new DvnSearchSpace
                {
                    BaseOptions = new DvnEstimator.Options { TaskColumnName = "TaskKey" },
                    LearningRate = DvnSearch.LogUniform(3e-4, 3e-3),
                    NumberOfEpochs = DvnSearch.Fixed(9),
                    Architecture = DvnSearch.MlpWidths(layers: 2, minimumWidth: 120, maximumWidth: 480),
                    LearningRateSchedule = DvnSearch.Choice(DvnLearningRateSchedule.Constant, DvnLearningRateSchedule.Cosine),
                    DistillationWeight = DvnSearch.Uniform(0, 0.5),
                    LevelWeights = DvnSearch.LevelWeights(0.5, 2),                      // one weight for each of the trial's levels
                },
                new DvnSweepSettings { Strategy = DvnSweepStrategy.Halving, MaximumTrials = 9, TimeBudget = TimeSpan.FromMinutes(30) });

            DvnSweepResult result = sweep.Run(data);
            foreach (var task in result.Frontier)   // per task: the best accuracy each size can buy
                Console.WriteLine($"{task.TaskName}: " + string.Join(", ", task.Points.Select(p => $"{p.ParameterCount:N0} -> {p.MicroAccuracy:P1}")));
            ITransformer model = sweep.Refit(data, result.Best()!);   // the best trial's options, trained on all the data
            var tested = sweep.Test(data, testData, new[] { result.Best()! }, seeds: new[] { 1, 2, 3 });   // refit on 3 seeds, measured on test data
            // --- end ---

            Assert.AreEqual(9, result.Trials.Count);
            Assert.AreEqual(1, result.Trials.Count(t => t.Status == DvnSweepTrialStatus.Completed), "9 -> 3 -> 1 configurations");
            Assert.AreEqual(3, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, "a frontier line per task");
            Assert.AreEqual(9, model.GetDvnTransformer().Training.NumberOfEpochs);
            Assert.AreEqual(result.Best()!.Parameters.LearningRate, model.GetDvnTransformer().Training.LearningRate);
            Assert.AreEqual(3, tested.Single().LevelsBySeed.Count);
            Assert.AreEqual(9, tested.Single().Levels.Count, "every (task, level) on the test data");
        }
        finally
        {
            Console.SetOut(console);
        }
        StringAssert.Contains(File.ReadAllText(Repository.File("README.md")).ReplaceLineEndings("\n"), ExampleInThisFile(), "README's Sweep example and this test's copy differ");
    }

    // The lines between the markers above, with the test's indentation removed.
    private static string ExampleInThisFile([CallerFilePath] string path = "")
    {
        var lines = File.ReadAllLines(path);
        int start = Array.FindIndex(lines, l => l.Trim() == "// --- README: Sweep ---") + 1;
        int end = Array.FindIndex(lines, l => l.Trim() == "// --- end ---");
        var example = lines[start..end];
        int indent = example.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", example.Select(l => l.Length >= indent ? l[indent..] : ""));
    }
}
