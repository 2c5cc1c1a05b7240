using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Persistence;

[TestClass]
public sealed class ModelRoundTripTests
{
    private static TrainedPipeline _trained = null!;
    private static string _directory = null!;

    [ClassInitialize]
    public static void Train(TestContext _)
    {
        _trained = new TrainedPipeline(new MLContext(seed: 1));
        _directory = Directory.CreateTempSubdirectory("dvn-roundtrip-").FullName;
    }

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(_directory, recursive: true);

    [TestMethod]
    public void BudgetsOfTheTestRowsSelectEveryLevel()
    {
        var levels = Predictions.Of(_trained.Model.Transform(_trained.Data)).Levels;
        CollectionAssert.AreEquivalent(new uint[] { 1, 2, 3 }, levels.Distinct().ToArray());
    }

    [TestMethod]
    public void APipelineLoadedInAnotherProcessPredictsBitIdenticallyWithAndWithoutRegistration()
    {
        var ml = _trained.Ml;
        string model = Path.Combine(_directory, "pipeline.zip"), input = Path.Combine(_directory, "rows.idv");
        ml.Model.Save(_trained.Model, _trained.Data.Schema, model);
        using (var file = File.Create(input))
            ml.Data.SaveAsBinary(_trained.Data, file);
        var expected = Predictions.Of(_trained.Model.Transform(_trained.Data));

        foreach (bool register in new[] { false, true })
        {
            string output = Path.Combine(_directory, $"out-{register}.idv");
            ModelHost.Transform(model, input, output, register);
            expected.AssertIdentical(Predictions.Of(ml.Data.LoadFromBinary(output)), register ? "child process, registered" : "child process, not registered");
        }
    }

    [TestMethod]
    public void SavingToAndLoadingFromAStreamGivesTheSamePredictions()
    {
        using var stream = new MemoryStream();
        _trained.Ml.Model.Save(_trained.Model, _trained.Data.Schema, stream);
        stream.Position = 0;

        var loaded = new MLContext().Model.Load(stream, out var schema);

        Assert.IsNotNull(schema.GetColumnOrNull("MemoryBudget"));
        var expected = Predictions.Of(_trained.Model.Transform(_trained.Data));
        expected.AssertIdentical(Predictions.Of(loaded.Transform(_trained.Data)), "stream round trip");
        var dvn = MlNetTasks.DvnOf(loaded);
        Assert.AreEqual(_trained.Dvn.StoredParameterCount, dvn.StoredParameterCount);
        for (int t = 1; t <= 3; t++)
            CollectionAssert.AreEqual(_trained.Dvn.GetLevels(t).Select(l => l.ParameterCount).ToArray(), dvn.GetLevels(t).Select(l => l.ParameterCount).ToArray());
        var options = MlNetTasks.Options(epochs: 8);
        Assert.AreEqual(new DvnTrainingInfo(options.NumberOfEpochs, options.BatchSize, options.LearningRate, options.WeightDecay, options.Seed!.Value,
            dvn.Training.RowsPerTask, dvn.Training.LevelWeights, options.DistillationWeight, options.LearningRateSchedule, options.BatchOrder,
            options.TaskOrder, dvn.Training.TasksInUnitOrder), dvn.Training);
        CollectionAssert.AreEqual(new[] { 1.0, 1.0, 1.0 }, dvn.Training.LevelWeights.ToArray());
        CollectionAssert.AreEqual(new long[] { 150, 150, 150 }, dvn.Training.RowsPerTask.ToArray());
    }

    [TestMethod]
    public void ALoadedModelStillRejectsABudgetBelowItsSmallestLevel()
    {
        using var stream = new MemoryStream();
        _trained.Ml.Model.Save(_trained.Model, _trained.Data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        var row = _trained.Rows[0];
        row = new TaskRow { Features = row.Features, Label = row.Label, Task = row.Task, MemoryBudget = 10 };

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Predictions.Of(loaded.Transform(_trained.Ml.Data.LoadFromEnumerable(new[] { row }))));
        StringAssert.Contains(error.Message, "budget of 10 parameters");
    }
}
