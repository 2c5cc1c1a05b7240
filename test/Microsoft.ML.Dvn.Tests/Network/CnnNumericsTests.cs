using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Network;

[TestClass]
public sealed class CnnNumericsTests
{
    private const int Size = 28;

    [TestMethod]
    public void CnnWithOddChannelCountsLearnsEveryLevelFinitelyAndBitIdenticallyTwice()
    {
        // Units of 7 (first convolution) and 14 channels: levels of 7/14/21 and 14/28/42 channels, the kind of
        // count at which libtorch's oneDNN convolution returned NaN on this machine.
        using var scope = NewDisposeScope();
        var architecture = DvnArchitecture.Cnn(Size, Size, 1, new[] { 21, 42 }, new[] { 42 });
        var train = Tasks(rows: 768, seed: 1);
        var test = Tasks(rows: 128, seed: 2);
        var settings = new DvnTrainingSettings(Epochs: 4, BatchSize: 32, LearningRate: 0.003, WeightDecay: 0, Seed: 5);

        Dictionary<string, Tensor> TrainOnce()
        {
            using var network = new DvnNetwork(architecture, Size * Size, GeneratedImages.ClassCounts, new UnitAllocation(3, 3, 3), seed: 5);
            var losses = new List<double>();
            DvnTrainer.Train(network, new CachedBatches(train), settings, null, report => losses.Add(report.Levels.Sum(l => l.TrainingLoss)), CancellationToken.None);
            Assert.IsTrue(losses[^1] < 0.5 * losses[0], $"the training loss did not fall: {string.Join(", ", losses.Select(l => l.ToString("F3")))}");
            using (no_grad())
                for (int t = 1; t <= 3; t++)
                    for (int j = 1; j <= 3; j++)
                    {
                        Assert.IsTrue(network.Forward(test[t - 1].Features, t, j).isfinite().all().item<bool>(), $"task {t} level {j} predicted a non-finite value");
                        // Chance is 1/4, 1/2 and 1/3: a network that went non-finite or stopped learning stays near it.
                        double accuracy = LevelAccuracy.Measure(network, test[t - 1], t, j, 128);
                        Assert.IsTrue(accuracy > 0.8, $"task {t} level {j}: held-out accuracy {accuracy:P0}");
                    }
            var weights = NetworkFixtures.Snapshot(network);
            foreach (var (name, value) in weights)
                Assert.IsTrue(value.isfinite().all().item<bool>(), $"{name} holds a non-finite value");
            return weights;
        }

        var first = TrainOnce();
        var second = TrainOnce();
        foreach (var (name, value) in first)
            Assert.IsTrue(NetworkFixtures.Same(value, second[name]), $"{name} differs between two trainings with the same seed");
        NetworkFixtures.DisposeAll(train.Concat(test));
    }

    private static TaskData[] Tasks(int rows, int seed) =>
        Enumerable.Range(1, 3).Select(t =>
        {
            var (pixels, labels) = GeneratedImages.Rows(t, rows, Size, seed);
            return new TaskData(tensor(pixels.SelectMany(p => p).ToArray(), rows, Size * Size), tensor(labels.Select(l => (long)l).ToArray()));
        }).ToArray();
}
