using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Training;

[TestClass]
public sealed class NormalizationCalibrationTests
{
    [TestMethod]
    public void AfterTrainingEveryLevelsRunningMeanIsTheMeanOfItsFirstLayerOverTheTrainingRows()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 2, 12, 12);
        var tasks = NetworkFixtures.Tasks(rowsPerTask: 64, seed: 1); // two equal batches of 32 per task
        TrainingLoop.Train(network, new CachedBatches(tasks), new DvnTrainingSettings(2, 32, 0.01, 0, 4), null, null, CancellationToken.None);

        for (int t = 1; t <= 3; t++)
            for (int j = 1; j <= 3; j++)
            {
                var (expected, _) = FirstLayerStatistics(network, tasks[t - 1], t, j);
                var actual = RunningStatistic(network, t, j, "running_mean");
                Assert.IsTrue(actual.allclose(expected, rtol: 1e-4, atol: 1e-5),
                    $"task {t} level {j}: running mean {actual.ToString(TorchSharp.TensorStringStyle.Julia)} is not the data's {expected.ToString(TorchSharp.TensorStringStyle.Julia)}");
            }
        NetworkFixtures.DisposeAll(tasks);
    }

    [TestMethod]
    public void OnRowsSortedByClassTheRunningVarianceIsTheVarianceOfAllRows()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 2, 12, 12);
        var tasks = SortedByClass(rowsPerTask: 512);
        using var generator = new Generator(9);

        NormalizationCalibration.Run(network, new CachedBatches(tasks), batchSize: 32, generator, CancellationToken.None);

        // Within a class the features barely vary; between classes they differ by several units. Batches that each
        // hold one class (the input order) would see almost none of that variance.
        for (int t = 1; t <= 3; t++)
            for (int j = 1; j <= 3; j++)
            {
                var (_, expected) = FirstLayerStatistics(network, tasks[t - 1], t, j);
                var ratio = RunningStatistic(network, t, j, "running_var").div(expected);
                Assert.IsTrue(ratio.min().item<float>() > 0.85 && ratio.max().item<float>() < 1.15,
                    $"task {t} level {j}: running variance / variance of all rows = {string.Join(", ", ratio.data<float>().ToArray().Select(r => r.ToString("F3")))}");
            }
        NetworkFixtures.DisposeAll(tasks);
    }

    // Rows of GeneratedTasks' class counts, class 0 first: every feature is 2 * (class + 1) plus noise of 0.1.
    private static TaskData[] SortedByClass(int rowsPerTask) =>
        GeneratedTasks.ClassCounts.Select((classes, t) =>
        {
            var random = new Random(t);
            var labels = Enumerable.Range(0, rowsPerTask).Select(r => (long)(r * classes / rowsPerTask)).ToArray();
            var features = labels.SelectMany(label => Enumerable.Range(0, GeneratedTasks.FeatureCount)
                .Select(_ => (float)(2 * (label + 1) + 0.1 * (random.NextDouble() - 0.5)))).ToArray();
            return new TaskData(tensor(features, rowsPerTask, GeneratedTasks.FeatureCount), tensor(labels));
        }).ToArray();

    // The mean and the (unbiased) variance over the task's rows of the first layer's output at the level's channels:
    // what the level's first normalization sees.
    private static (Tensor Mean, Tensor Variance) FirstLayerStatistics(DvnNetwork network, TaskData data, int task, int level)
    {
        var weight = network.named_parameters().Single(p => p.name == "fullyConnected.0.weight").parameter;
        var slice = network.HiddenSlices(network.Allocation.Units(task, level)).First();
        using var _ = no_grad();
        var activations = data.Features.matmul(weight.narrow(0, slice.Start, slice.Length).t());
        return (activations.mean(new long[] { 0 }), activations.var(0));
    }

    private static Tensor RunningStatistic(DvnNetwork network, int task, int level, string name) =>
        network.named_buffers().Single(b => b.name == $"levels.t{task}l{level}.norms.0.{name}").buffer;
}
