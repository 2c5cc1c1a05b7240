using Microsoft.ML.Dvn.Native;
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
    public void AnOddWidthCnnTrainsFinitelyLearnsAndRepeatsBitForBit()
    {
        // Units of 7 (first convolution) and 14 channels: levels of 7/14/21 and 14/28/42 channels, the kind of count
        // at which libtorch's oneDNN convolution returned NaN on an AVX-512 machine unless padded.
        using var scope = NewDisposeScope();
        var architecture = DvnArchitecture.Cnn(Size, Size, 1, new[] { 21, 42 }, new[] { 42 });
        var train = Tasks(rows: 768, seed: 1);
        var test = Tasks(rows: 128, seed: 2);
        var settings = new DvnTrainingSettings(NumberOfEpochs: 4, BatchSize: 32, LearningRate: 0.003, WeightDecay: 0, Seed: 5);
        string path = $"oneDNN {(TorchNative.OneDnnEnabled ? "on" : "off")}, channels padded to multiples of {ChannelPadding.ForProcess.Multiple}";

        (List<DvnEpochReport> Reports, Dictionary<string, Tensor> Weights, Tensor[] Predictions) TrainOnce()
        {
            using var network = new DvnNetwork(architecture, Size * Size, GeneratedImages.ClassCounts, new UnitAllocation(3, 3, 3), seed: 5);
            var reports = new List<DvnEpochReport>();
            TrainingLoop.Train(network, new CachedBatches(train), settings, null, reports.Add, CancellationToken.None);
            var predictions = new List<Tensor>();
            using (no_grad())
                for (int t = 1; t <= 3; t++)
                    for (int j = 1; j <= 3; j++)
                    {
                        predictions.Add(network.Forward(test[t - 1].Features, t, j).MoveToOuterDisposeScope());
                        // Chance is 1/4, 1/2 and 1/3: a network that went non-finite or stopped learning stays near it.
                        double accuracy = LevelAccuracy.Measure(network, test[t - 1], t, j, 128);
                        Assert.IsTrue(accuracy > 0.8, $"task {t} level {j}: held-out accuracy {accuracy:P0}");
                    }
            return (reports, NetworkFixtures.Snapshot(network), predictions.ToArray());
        }

        var first = TrainOnce();
        var second = TrainOnce();

        Assert.AreEqual(4, first.Reports.Count, "one report per epoch");
        foreach (var level in first.Reports.SelectMany(r => r.Levels))
            Assert.IsTrue(double.IsFinite(level.TrainingLoss), $"{path}: task {level.Task} level {level.Level} has a non-finite loss");
        foreach (var (start, end) in first.Reports[0].Levels.Zip(first.Reports[^1].Levels))
            Assert.IsTrue(end.TrainingLoss < 0.9 * start.TrainingLoss,
                $"{path}: task {start.Task} level {start.Level} did not learn: loss {start.TrainingLoss:F3} in epoch 1, {end.TrainingLoss:F3} in epoch 4");
        CollectionAssert.AreEqual(first.Reports.SelectMany(r => r.Levels.Select(l => l.TrainingLoss)).ToArray(),
            second.Reports.SelectMany(r => r.Levels.Select(l => l.TrainingLoss)).ToArray(), $"{path}: the losses of two trainings with the same seed differ");
        for (int i = 0; i < first.Predictions.Length; i++)
        {
            Assert.IsTrue(first.Predictions[i].isfinite().all().item<bool>(), $"{path}: task {i / 3 + 1} level {i % 3 + 1} predicted a non-finite value");
            Assert.IsTrue(NetworkFixtures.Same(first.Predictions[i], second.Predictions[i]), $"{path}: task {i / 3 + 1} level {i % 3 + 1} predicts differently after the same training");
        }
        foreach (var (name, value) in first.Weights)
        {
            Assert.IsTrue(value.isfinite().all().item<bool>(), $"{path}: {name} holds a non-finite value");
            Assert.IsTrue(NetworkFixtures.Same(value, second.Weights[name]), $"{path}: {name} differs between two trainings with the same seed");
        }
        NetworkFixtures.DisposeAll(train.Concat(test));
    }

    private static TaskData[] Tasks(int rows, int seed) =>
        Enumerable.Range(1, 3).Select(t =>
        {
            var (pixels, labels) = GeneratedImages.Rows(t, rows, Size, seed);
            return new TaskData(tensor(pixels.SelectMany(p => p).ToArray(), rows, Size * Size), tensor(labels.Select(l => (long)l).ToArray()));
        }).ToArray();
}
