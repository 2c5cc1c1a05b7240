using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;

namespace Microsoft.ML.Dvn.Tests.Training;

/// <summary>
/// A training continued from a checkpoint (what a sweep's halving rounds do) equals one training of all its epochs,
/// bit for bit: the network, Adam's moments and steps, the generator and the schedule's position all carry over.
/// </summary>
[TestClass]
public sealed class TrainingContinuationTests
{
    private static readonly MLContext Ml = new(1);
    private static readonly IDataView Data = Ml.Data.LoadFromEnumerable(MlNetTasks.Rows(60, seed: 3));

    private static List<float[]> Scores(DvnEstimator.Options options)
    {
        var model = MlNetTasks.Pipeline(Ml, options).Fit(Data);
        return MlNetTasks.Vectors(model.Transform(Data), "Score");
    }

    private static DvnEstimator.Options Options(int epochs, DvnLearningRateSchedule schedule, TrainingContinuation? continuation = null)
    {
        var options = MlNetTasks.Options(epochs);
        options.LearningRateSchedule = schedule;
        options.Continuation = continuation;
        return options;
    }

    private static void AssertSame(List<float[]> expected, List<float[]> actual, string what)
    {
        Assert.AreEqual(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            CollectionAssert.AreEqual(expected[i], actual[i], $"{what}: row {i}");
    }

    [TestMethod]
    [DataRow(DvnLearningRateSchedule.Constant)]
    [DataRow(DvnLearningRateSchedule.Cosine)]
    public void SixEpochsContinuedAfterTwoAreBitIdenticalToSixInOneFit(DvnLearningRateSchedule schedule)
    {
        var whole = Scores(Options(6, schedule));

        var first = new TrainingContinuation(6, null);
        var afterTwo = Scores(Options(2, schedule, first));
        Assert.IsNotNull(first.Saved);
        Assert.AreEqual(2, first.Saved!.Epoch);
        // Through bytes, as a study keeps it.
        var second = new TrainingContinuation(6, TrainingCheckpoint.FromBytes(first.Saved.ToBytes()));
        var continued = Scores(Options(6, schedule, second));

        AssertSame(whole, continued, "continued");
        Assert.AreEqual(6, second.Saved!.Epoch);
        // The two-epoch stretch is a different model (the check above can fail).
        Assert.IsFalse(whole.Zip(afterTwo).All(p => p.First.SequenceEqual(p.Second)), "two epochs already equal six");
    }

    [TestMethod]
    public void WithoutTheCheckpointTheSecondStretchIsNotTheWholeTraining()
    {
        // The oracle's other side: starting the last four epochs from a new network gives another model.
        var whole = Scores(Options(6, DvnLearningRateSchedule.Constant));
        var restarted = Scores(Options(4, DvnLearningRateSchedule.Constant, new TrainingContinuation(6, null)));
        Assert.IsFalse(whole.Zip(restarted).All(p => p.First.SequenceEqual(p.Second)));
    }

    [TestMethod]
    public void ACheckpointBeyondTheStretchIsRefused()
    {
        var first = new TrainingContinuation(6, null);
        Scores(Options(3, DvnLearningRateSchedule.Constant, first));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            Scores(Options(3, DvnLearningRateSchedule.Constant, new TrainingContinuation(6, first.Saved))));
        StringAssert.Contains(error.Message, "cannot continue from epoch 3");
    }
}
