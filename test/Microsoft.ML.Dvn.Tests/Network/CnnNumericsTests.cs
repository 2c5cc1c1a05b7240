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
    public void CnnWithOddChannelCountsTrainsHundredsOfBatchesFinitelyAndBitIdenticallyTwice()
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
            int batches = 0;
            DvnTrainer.Train(network, train, settings, null, report => batches += 24 * 3, CancellationToken.None);
            Assert.AreEqual(288, batches, "expected 4 epochs of 3 tasks x 24 batches, every level in every batch");
            using (no_grad())
                for (int t = 1; t <= 3; t++)
                    for (int j = 1; j <= 3; j++)
                        Assert.IsTrue(network.Forward(test[t - 1].Features, t, j).isfinite().all().item<bool>(), $"task {t} level {j} predicted a non-finite value");
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
