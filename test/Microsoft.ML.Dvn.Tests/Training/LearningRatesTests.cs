using Microsoft.ML.Dvn.Network;
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
    public void CosineOverFourStepsGivesTheHandComputedRates()
    {
        // 0.01 x (1 + cos(pi s / 4)) / 2 for s = 0..3: cos 0 = 1, cos(pi/4) = sqrt(2)/2, cos(pi/2) = 0, cos(3pi/4) = -sqrt(2)/2.
        double[] expected = { 0.01, 0.01 * (2 + Math.Sqrt(2)) / 4, 0.005, 0.01 * (2 - Math.Sqrt(2)) / 4 };
        Assert.AreEqual(0.0085355339, expected[1], 1e-10);
        Assert.AreEqual(0.0014644661, expected[3], 1e-10);
        for (int s = 0; s < 4; s++)
        {
            Assert.AreEqual(expected[s], LearningRates.At(DvnLearningRateSchedule.Cosine, 0.01, s, 4), 1e-15, $"cosine, step {s}");
            Assert.AreEqual(0.01, LearningRates.At(DvnLearningRateSchedule.Constant, 0.01, s, 4), $"constant, step {s}");
        }
    }

    [TestMethod]
    public void TheTrainersSecondStepUnderCosineOverTwoStepsIsHalfTheConstantOnesStep()
    {
        // One task of 64 rows in one batch of 64: one Adam step an epoch, so 2 epochs are 2 steps. The first step has the
        // full rate under both schedules, so both trainings reach the same weights w1 and take their second step from
        // the same weights, moments and gradient. Adam's step is proportional to its rate, and cosine's second rate of
        // two is 0.01 x (1 + cos(pi / 2)) / 2 = 0.005: the cosine training's second step must be half the constant one's.
        using var scope = NewDisposeScope();
        var task = NetworkFixtures.Tasks(rowsPerTask: 64, seed: 1);
        var settings = new DvnTrainingSettings(NumberOfEpochs: 2, BatchSize: 64, LearningRate: 0.01, WeightDecay: 0, Seed: 3);
        Dictionary<string, Tensor> Train(DvnTrainingSettings s)
        {
            using var network = new DvnNetwork(DvnArchitecture.Mlp(12, 12), GeneratedTasks.FeatureCount, new[] { GeneratedTasks.ClassCounts[0] },
                new UnitAllocation(1, 3, 3), seed: 3);
            TrainingLoop.Train(network, new CachedBatches(new[] { task[0] }), s, null, null, CancellationToken.None);
            return network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        }

        var afterFirstStep = Train(settings with { NumberOfEpochs = 1, LearningRateSchedule = DvnLearningRateSchedule.Constant });
        var constant = Train(settings with { LearningRateSchedule = DvnLearningRateSchedule.Constant });
        var cosine = Train(settings with { LearningRateSchedule = DvnLearningRateSchedule.Cosine });

        foreach (var (name, w1) in afterFirstStep)
        {
            var constantStep = constant[name] - w1;
            var cosineStep = cosine[name] - w1;
            double size = constantStep.norm().item<float>();
            double gap = (cosineStep - constantStep * 0.5).norm().item<float>();
            // Float rounding of w1 + step: relative to the step, plus an absolute floor for steps near w's last bit.
            Assert.IsTrue(gap <= 1e-3 * size + 1e-6, $"{name}: the cosine step is not half the constant one (off by {gap}, step {size})");
        }
        double moved = (constant["fullyConnected.0.weight"] - afterFirstStep["fullyConnected.0.weight"]).norm().item<float>();
        Assert.IsTrue(moved > 1e-3, $"the constant schedule's second step moved the first layer by only {moved}");
        NetworkFixtures.DisposeAll(task);
    }
}
