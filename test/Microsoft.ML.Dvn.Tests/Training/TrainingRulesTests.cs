using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Training;

/// <summary>The training options' rules are written once: Fit and the training loop refuse the same values in the same words.</summary>
[TestClass]
public sealed class TrainingRulesTests
{
    private static readonly DvnTrainingSettings Valid = new(NumberOfEpochs: 1, BatchSize: 32, LearningRate: 0.01, WeightDecay: 0, Seed: 1);

    [TestMethod]
    public void FitAndTheTrainingLoopRefuseTheSameValuesNamingOptionValueAndExpectation()
    {
        var cases = new (string Option, string Value, Action<DvnEstimator.Options> Change, DvnTrainingSettings Settings)[]
        {
            ("NumberOfEpochs", "0", o => o.NumberOfEpochs = 0, Valid with { NumberOfEpochs = 0 }),
            ("BatchSize", "1", o => o.BatchSize = 1, Valid with { BatchSize = 1 }),
            ("LearningRate", "NaN", o => o.LearningRate = double.NaN, Valid with { LearningRate = double.NaN }),
            ("WeightDecay", "-1", o => o.WeightDecay = -1, Valid with { WeightDecay = -1 }),
            ("LevelWeights", "1, -1, 1", o => o.LevelWeights = new[] { 1.0, -1, 1 }, Valid with { LevelWeights = new[] { 1.0, -1, 1 } }),
            ("DistillationWeight", "1.5", o => o.DistillationWeight = 1.5, Valid with { DistillationWeight = 1.5 }),
            ("LearningRateSchedule", "7", o => o.LearningRateSchedule = (DvnLearningRateSchedule)7,
                Valid with { LearningRateSchedule = (DvnLearningRateSchedule)7 }),
            ("BatchOrder", "7", o => o.BatchOrder = (DvnBatchOrder)7, Valid with { BatchOrder = (DvnBatchOrder)7 }),
        };
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 1, 12, 12);
        var train = NetworkFixtures.Tasks(rowsPerTask: 64, seed: 1);
        var ml = new MLContext(seed: 1);
        foreach (var (option, value, change, settings) in cases)
        {
            var options = new DvnEstimator.Options();
            change(options);
            string fit = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Dvn(options)).Message;
            string loop = Assert.Throws<ArgumentException>(
                () => TrainingLoop.Train(network, new CachedBatches(train), settings, null, null, CancellationToken.None)).Message;

            StringAssert.Contains(fit, $"DvnEstimator.Options.{option} is {value}; expected ");
            StringAssert.Contains(loop, $"DvnTrainingSettings.{option} is {value}; expected ");
            Assert.AreEqual(Expectation(fit), Expectation(loop), $"{option}: Fit and the training loop expect different values");
        }
        NetworkFixtures.DisposeAll(train);
    }

    // What a message says is expected: from "; expected " to the end of its sentence.
    private static string Expectation(string message)
    {
        int start = message.IndexOf("; expected ", StringComparison.Ordinal) + "; expected ".Length;
        return message[start..message.IndexOf(".", start, StringComparison.Ordinal)];
    }
}
