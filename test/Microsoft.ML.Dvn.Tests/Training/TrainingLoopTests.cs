using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Training;

[TestClass]
public sealed class TrainingLoopTests
{
    private static readonly DvnTrainingSettings Settings = new(NumberOfEpochs: 25, BatchSize: 32, LearningRate: 0.01, WeightDecay: 0, Seed: 7);

    [TestMethod]
    public void EveryLevelOfEveryTaskLearnsWellAboveChanceAndBiggerLevelsAreNotWorse()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 7, 48, 48);
        var train = NetworkFixtures.Tasks(rowsPerTask: 900, seed: 1);
        var test = NetworkFixtures.Tasks(rowsPerTask: 600, seed: 2);

        TrainingLoop.Train(network, new CachedBatches(train), Settings, validation: null, progress: null, CancellationToken.None);

        // Chance: 1/3, 1/2, 1/4. Each level must reach at least this held-out accuracy.
        double[] required = { 0.85, 0.85, 0.85 };
        const double tolerance = 0.03; // a bigger level may trail a smaller one by at most 3 points
        var report = new List<string>();
        for (int t = 1; t <= 3; t++)
        {
            double previous = 0;
            for (int j = 1; j <= 3; j++)
            {
                double accuracy = LevelAccuracy.Measure(network, test[t - 1], t, j, 256);
                report.Add($"task {t} level {j}: {accuracy:P1}");
                Assert.IsTrue(accuracy >= required[t - 1], $"task {t} level {j}: {accuracy:P1} < {required[t - 1]:P0}; {string.Join("; ", report)}");
                Assert.IsTrue(accuracy >= previous - tolerance, $"task {t} level {j} ({accuracy:P1}) is worse than level {j - 1} ({previous:P1}) beyond {tolerance:P0}");
                previous = accuracy;
            }
        }
        Console.WriteLine(string.Join("; ", report));
        NetworkFixtures.DisposeAll(train.Concat(test));
    }

    [TestMethod]
    public void TheSameSeedGivesBitIdenticalWeightsAndAnotherSeedDifferentOnes()
    {
        using var scope = NewDisposeScope();
        var train = NetworkFixtures.Tasks(rowsPerTask: 200, seed: 1);
        var settings = Settings with { NumberOfEpochs = 3 };
        Dictionary<string, Tensor> TrainWith(long seed)
        {
            using var network = NetworkFixtures.Mlp(seed, 24, 24);
            TrainingLoop.Train(network, new CachedBatches(train), settings with { Seed = seed }, null, null, CancellationToken.None);
            return NetworkFixtures.Snapshot(network);
        }

        var first = TrainWith(11);
        var second = TrainWith(11);
        var other = TrainWith(12);

        Assert.AreEqual(first.Count, second.Count);
        foreach (var (name, value) in first)
            Assert.IsTrue(NetworkFixtures.Same(value, second[name]), $"{name} differs between two runs with seed 11");
        Assert.IsTrue(first.Any(p => !NetworkFixtures.Same(p.Value, other[p.Key])), "seeds 11 and 12 gave the same weights");
        NetworkFixtures.DisposeAll(train);
    }

    [TestMethod]
    public void ProgressReportsTheLossAndAccuracyOfWhatWasTrainedAndTheValidationAccuracyOfTheNetwork()
    {
        using var scope = NewDisposeScope();
        var train = NetworkFixtures.Tasks(rowsPerTask: 64, seed: 1);
        var validation = NetworkFixtures.Tasks(rowsPerTask: 200, seed: 2);
        var reports = new List<DvnEpochReport>();
        // One batch of 64 rows a task: task 1's batch is the first step, so its epoch-1 figures are those of the
        // untrained network on all of task 1's rows, in training mode (batch statistics).
        var settings = Settings with { NumberOfEpochs = 40, BatchSize = 64 };
        using var untrained = NetworkFixtures.Mlp(seed: 1, 12, 12);
        untrained.train();
        using var network = NetworkFixtures.Mlp(seed: 1, 12, 12);

        TrainingLoop.Train(network, new CachedBatches(train), settings, validation, reports.Add, CancellationToken.None);

        CollectionAssert.AreEqual(Enumerable.Range(1, 40).ToArray(), reports.Select(r => r.Epoch).ToArray());
        Assert.IsTrue(reports.All(r => r.Levels.Count == 9), "a report without all 9 (task, level) pairs");
        for (int j = 1; j <= 3; j++)
        {
            var first = reports[0].Levels.Single(l => l.Task == 1 && l.Level == j);
            var logits = untrained.Forward(train[0].Features, 1, j);
            Assert.AreEqual(nn.functional.cross_entropy(logits, train[0].Labels).item<float>(), first.TrainingLoss, 1e-5, $"level {j}: epoch 1's loss");
            Assert.AreEqual(Correct(logits, train[0].Labels) / 64.0, first.TrainingAccuracy, $"level {j}: epoch 1's training accuracy");
        }
        // The last report comes after training: its validation accuracy is what the trained network, in inference mode,
        // predicts for the validation rows, counted here in one pass. After these 40 steps a task, tasks 1 and 3 (linear
        // rules, chance 1/3 and 1/4) are 20 points above chance at every level; task 2's XOR needs longer (EveryLevelOfEveryTaskLearns...).
        network.eval();
        using (no_grad())
            foreach (var level in reports[^1].Levels)
            {
                var data = validation[level.Task - 1];
                long correct = Correct(network.Forward(data.Features, level.Task, level.Level), data.Labels);
                Assert.AreEqual(correct / 200.0, level.ValidationAccuracy, $"task {level.Task} level {level.Level}");
                Assert.IsTrue(level.Task == 2 || level.ValidationAccuracy > Chance[level.Task - 1] + 0.2,
                    $"task {level.Task} level {level.Level}: {level.ValidationAccuracy:P1} after 40 epochs");
            }
        Assert.IsTrue(reports[^1].Levels.Sum(l => l.TrainingLoss) < reports[0].Levels.Sum(l => l.TrainingLoss), "the loss did not fall");
        Assert.AreEqual(TimeSpan.Zero, reports[^1].EstimatedRemaining);
        NetworkFixtures.DisposeAll(train.Concat(validation));
    }

    private static readonly double[] Chance = { 1.0 / 3, 1.0 / 2, 1.0 / 4 };

    private static long Correct(Tensor logits, Tensor labels) => logits.argmax(1).eq(labels).sum().item<long>();

    [TestMethod]
    public void ANonFiniteLossStopsTrainingNamingTaskLevelEpochAndBatch()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 1, 12, 12);
        var train = NetworkFixtures.Tasks(rowsPerTask: 64, seed: 1);
        train[1].Features[40, 2] = tensor(float.NaN); // task 2, row 40: in the second batch of 32 after shuffling? Any batch holding it.

        var error = Assert.ThrowsExactly<DvnNumericException>(
            () => TrainingLoop.Train(network, new CachedBatches(train), Settings with { NumberOfEpochs = 2 }, null, null, CancellationToken.None));

        Assert.AreEqual(2, error.Task);
        Assert.AreEqual(1, error.Level);
        Assert.AreEqual(1, error.Epoch);
        Assert.IsTrue(error.Batch is 1 or 2);
        StringAssert.Contains(error.Message, $"task 2, level 1 became NaN in epoch 1, batch {error.Batch}");
        NetworkFixtures.DisposeAll(train);
    }

    [TestMethod]
    public void CancellationStopsTraining()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 1, 12, 12);
        var train = NetworkFixtures.Tasks(rowsPerTask: 64, seed: 1);
        using var cancellation = new CancellationTokenSource();
        var reports = new List<DvnEpochReport>();

        Assert.ThrowsExactly<OperationCanceledException>(() => TrainingLoop.Train(network, new CachedBatches(train), Settings with { NumberOfEpochs = 5 }, null,
            report => { reports.Add(report); cancellation.Cancel(); }, cancellation.Token));

        Assert.AreEqual(1, reports.Count, "training went on after cancellation");
        NetworkFixtures.DisposeAll(train);
    }
}
