using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Training;

[TestClass]
public sealed class LearningRatesTests
{
    [TestMethod]
    public void CosineFallsFromTheFullRateThroughHalfAtMidpointTowardsZero()
    {
        const long steps = 1000;
        var rates = Enumerable.Range(0, (int)steps).Select(s => LearningRates.At(DvnLearningRateSchedule.Cosine, 0.01, s, steps)).ToArray();

        Assert.AreEqual(0.01, rates[0], 1e-15);
        Assert.AreEqual(0.005, rates[500], 1e-12);
        Assert.IsTrue(rates[^1] is > 0 and < 1e-6, $"last step {rates[^1]}");
        for (int s = 1; s < steps; s++)
            Assert.IsTrue(rates[s] < rates[s - 1], $"step {s} does not fall");
        Assert.IsTrue(Enumerable.Range(0, 10).All(s => LearningRates.At(DvnLearningRateSchedule.Constant, 0.01, s * 100, steps) == 0.01));
    }

    [TestMethod]
    public void TheTrainerFollowsTheSchedule()
    {
        using var scope = NewDisposeScope();
        var tasks = NetworkFixtures.Tasks(rowsPerTask: 64, seed: 1);
        var settings = new DvnTrainingSettings(NumberOfEpochs: 2, BatchSize: 16, LearningRate: 0.01, WeightDecay: 0, Seed: 3);
        Dictionary<string, Tensor> Train(DvnTrainingSettings s)
        {
            using var network = NetworkFixtures.Mlp(seed: 3, 12, 12);
            TrainingLoop.Train(network, new CachedBatches(tasks), s, null, null, CancellationToken.None);
            return NetworkFixtures.Snapshot(network);
        }

        var constant = Train(settings);
        var cosine = Train(settings with { LearningRateSchedule = DvnLearningRateSchedule.Cosine });

        // The first step has the same rate under both schedules, every later step a smaller one under cosine: the
        // weights must differ, and move less far from their start.
        using var start = NetworkFixtures.Mlp(seed: 3, 12, 12);
        var initial = NetworkFixtures.Snapshot(start)["fullyConnected.0.weight"];
        double Moved(Dictionary<string, Tensor> weights) => weights["fullyConnected.0.weight"].sub(initial).norm().item<float>();
        Assert.IsTrue(Moved(cosine) < Moved(constant), $"cosine moved the weights {Moved(cosine):F4}, constant {Moved(constant):F4}");
        NetworkFixtures.DisposeAll(tasks);
    }
}
