namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// DvnTrainingInfo gained the training methods in 0.2.0; 0.1.0's constructor and deconstruction stay (package
/// validation against the 0.1.0 baseline requires them) and mean that release's training.
/// </summary>
[TestClass]
public sealed class TrainingInfoCompatibilityTests
{
    [TestMethod]
    public void The010ConstructorDescribesThatReleasesTrainingAndDeconstructsAsBefore()
    {
        var info = new DvnTrainingInfo(3, 32, 0.01, 0.5, 7, new long[] { 20, 30 });

        CollectionAssert.AreEqual(new[] { 1.0 }, info.LevelWeights.ToArray());
        Assert.AreEqual((0.0, DvnLearningRateSchedule.Constant, DvnBatchOrder.RoundRobin, DvnTaskOrder.TaskKeys),
            (info.DistillationWeight, info.LearningRateSchedule, info.BatchOrder, info.TaskOrder));
        CollectionAssert.AreEqual(new[] { 1, 2 }, info.TasksInUnitOrder.ToArray());
        var (epochs, batchSize, learningRate, weightDecay, seed, rows) = info;
        Assert.AreEqual((3, 32, 0.01, 0.5, 7L), (epochs, batchSize, learningRate, weightDecay, seed));
        CollectionAssert.AreEqual(new long[] { 20, 30 }, rows.ToArray());
    }
}
