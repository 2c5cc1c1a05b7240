using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Training;

/// <summary>The training methods beyond the paper, as users set them: DvnEstimator.Options.</summary>
[TestClass]
public sealed class TrainingOptionsTests
{
    [TestMethod]
    public void LevelWeightsReachTheLoss()
    {
        var ml = new MLContext(seed: 1);
        var options = MlNetTasks.Options(epochs: 3);
        options.LevelWeights = new[] { 1.0, 0, 0 };
        var model = MlNetTasks.Pipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(MlNetTasks.Rows(150, seed: 1)));
        var trained = NetworkFixtures.Snapshot(MlNetTasks.DvnOf(model).Model.Network);

        // The same network before training: levels of weight 0 get zero gradients, and Adam does not move a weight
        // whose gradients were all zero, so their heads must still be the initial ones; level 1's must have learned.
        using var untrained = new DvnNetwork(options.Architecture, GeneratedTasks.FeatureCount, GeneratedTasks.ClassCounts,
            new UnitAllocation(3, 3, 3), options.Seed!.Value);
        var initial = NetworkFixtures.Snapshot(untrained);
        for (int t = 1; t <= 3; t++)
        {
            Assert.IsFalse(NetworkFixtures.Same(initial[$"levels.t{t}l1.head.weight"], trained[$"levels.t{t}l1.head.weight"]), $"task {t}: level 1 did not learn");
            foreach (int j in new[] { 2, 3 })
                Assert.IsTrue(NetworkFixtures.Same(initial[$"levels.t{t}l{j}.head.weight"], trained[$"levels.t{t}l{j}.head.weight"]),
                    $"task {t}: level {j} has weight 0 but its head learned");
        }
    }

    [TestMethod]
    public void BadOptionsFailNamingTheOptionTheValueAndWhatIsExpected()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(20, seed: 1));
        string Error(Action<DvnEstimator.Options> change)
        {
            var options = MlNetTasks.Options(epochs: 1);
            change(options);
            return Assert.Throws<ArgumentException>(() => MlNetTasks.Pipeline(ml, options).Fit(data)).Message;
        }

        StringAssert.Contains(Error(o => o.LevelWeights = new[] { 1.0, 2.0 }), "LevelWeights has 2 values (1, 2); the network has 3 levels");
        StringAssert.Contains(Error(o => o.LevelWeights = new[] { 1.0, -1, 1 }), "LevelWeights is 1, -1, 1; expected");
        StringAssert.Contains(Error(o => o.LevelWeights = new[] { 0.0, 0, 0 }), "not all zero");
        StringAssert.Contains(Error(o => o.DistillationWeight = 1.5), "DistillationWeight is 1.5; expected a number within [0, 1]");
        StringAssert.Contains(Error(o => o.TaskOrder = (DvnTaskOrder)7), "TaskOrder is 7");
        StringAssert.Contains(Error(o => o.LearningRateSchedule = (DvnLearningRateSchedule)7), "LearningRateSchedule is 7");
        StringAssert.Contains(Error(o => o.BatchOrder = (DvnBatchOrder)7), "BatchOrder is 7");
    }

    [TestMethod]
    public void TheAffinityOrderIsTheSameWhateverTheRowOrderAndIsSavedWithTheModel()
    {
        // 'a' and 'c' follow the same rule on different rows; 'b' another one. Task keys follow the rows' order, so
        // the reversed rows number the tasks c, b, a.
        var rows = Rows(("a", 1, 1), ("b", 2, 1), ("c", 1, 2));
        var options = MlNetTasks.Options(epochs: 1);
        options.TaskOrder = DvnTaskOrder.Affinity;
        string[] NamesAlongTheUnits(DvnTransformer dvn) => dvn.Training.TasksInUnitOrder.Select(dvn.GetTaskName).ToArray();

        var ml = new MLContext(seed: 1);
        var model = MlNetTasks.Pipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(rows));
        var reversed = MlNetTasks.Pipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(Enumerable.Reverse(rows).ToList()));
        var dvn = MlNetTasks.DvnOf(model);

        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, Enumerable.Range(1, 3).Select(dvn.GetTaskName).ToArray());
        CollectionAssert.AreEqual(new[] { "c", "b", "a" }, Enumerable.Range(1, 3).Select(MlNetTasks.DvnOf(reversed).GetTaskName).ToArray());
        var names = NamesAlongTheUnits(dvn);
        CollectionAssert.AreEqual(names, NamesAlongTheUnits(MlNetTasks.DvnOf(reversed)), "the row order changed which tasks share");
        CollectionAssert.AreEquivalent(new[] { "a", "c" }, names.Take(2).ToArray(), $"the alike tasks do not share the most: {string.Join(", ", names)}");
        Assert.AreEqual(DvnTaskOrder.Affinity, dvn.Training.TaskOrder);
        // K = T = L = 3: the task at position p has home unit p.
        for (int p = 1; p <= 3; p++)
            CollectionAssert.AreEqual(new[] { p }, dvn.GetLevels(dvn.Training.TasksInUnitOrder[p - 1])[0].Units.ToArray());

        using var stream = new MemoryStream();
        ml.Model.Save(model, ml.Data.LoadFromEnumerable(rows).Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        var loadedDvn = MlNetTasks.DvnOf(loaded);
        CollectionAssert.AreEqual(dvn.Training.TasksInUnitOrder.ToArray(), loadedDvn.Training.TasksInUnitOrder.ToArray());
        for (int t = 1; t <= 3; t++)
            CollectionAssert.AreEqual(dvn.GetLevels(t).SelectMany(l => l.Units).ToArray(), loadedDvn.GetLevels(t).SelectMany(l => l.Units).ToArray());
        var test = ml.Data.LoadFromEnumerable(Rows(("a", 1, 3), ("b", 2, 3), ("c", 1, 4)));
        Predictions.Of(model.Transform(test)).AssertIdentical(Predictions.Of(loaded.Transform(test)), "after loading");
    }

    [TestMethod]
    public void EveryMethodOptionIsRecordedAndSavedWithTheModel()
    {
        var ml = new MLContext(seed: 1);
        var options = MlNetTasks.Options(epochs: 2);
        options.LevelWeights = new[] { 1.0, 2.0, 0.5 };
        options.DistillationWeight = 0.25;
        options.LearningRateSchedule = DvnLearningRateSchedule.Cosine;
        options.BatchOrder = DvnBatchOrder.Proportional;
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(60, seed: 1));
        var model = MlNetTasks.Pipeline(ml, options).Fit(data);

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var training = MlNetTasks.DvnOf(new MLContext().Model.Load(stream, out _)).Training;

        CollectionAssert.AreEqual(new[] { 1.0, 2.0, 0.5 }, training.LevelWeights.ToArray());
        Assert.AreEqual(0.25, training.DistillationWeight);
        Assert.AreEqual(DvnLearningRateSchedule.Cosine, training.LearningRateSchedule);
        Assert.AreEqual(DvnBatchOrder.Proportional, training.BatchOrder);
        Assert.AreEqual(DvnTaskOrder.TaskKeys, training.TaskOrder);
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, training.TasksInUnitOrder.ToArray());
    }

    [TestMethod]
    public void BatchOrderChangesTrainingExactlyWhenTheTasksHaveDifferentBatchCounts()
    {
        // Equal tasks, 2 batches of 32 each: both orders are (1,1) (2,1) (3,1) (1,2) (2,2) (3,2) (proportional puts
        // batch b of every task at (2b - 1) / 4 of the epoch, ties to the lower task): the same training. Task alpha
        // with 128 rows (4 batches), beta and gamma with 32 (1 each): round robin is (1,1) (2,1) (3,1) (1,2) (1,3) (1,4),
        // proportional (1,1) (1,2) (2,1) (3,1) (1,3) (1,4): another training.
        var equal = MlNetTasks.Rows(64, seed: 1);
        var unequal = MlNetTasks.Rows(128, seed: 1).Where((r, i) => r.Task == "alpha" || i < 96).ToList();
        Assert.AreEqual(32, unequal.Count(r => r.Task == "gamma"));
        Dictionary<string, TorchSharp.torch.Tensor> Fit(List<TaskRow> rows, DvnBatchOrder order)
        {
            var options = MlNetTasks.Options(epochs: 2);
            options.BatchOrder = order;
            return Weights(options, rows);
        }

        AssertSame(Fit(equal, DvnBatchOrder.RoundRobin), Fit(equal, DvnBatchOrder.Proportional), "equal tasks");
        AssertDiffer(Fit(unequal, DvnBatchOrder.RoundRobin), Fit(unequal, DvnBatchOrder.Proportional), "unequal tasks");
    }

    [TestMethod]
    public void DistillationChangesTrainingExactlyWhenALowerLevelsLossCounts()
    {
        // Distillation changes only the loss of the levels below the top one: with their weights 0 it changes nothing;
        // with weights 1 it changes the trained network.
        var rows = MlNetTasks.Rows(64, seed: 1);
        Dictionary<string, TorchSharp.torch.Tensor> Fit(double[] levelWeights, double distillation)
        {
            var options = MlNetTasks.Options(epochs: 2);
            options.LevelWeights = levelWeights;
            options.DistillationWeight = distillation;
            return Weights(options, rows);
        }

        AssertSame(Fit(new[] { 0.0, 0, 1 }, 0), Fit(new[] { 0.0, 0, 1 }, 0.5), "only the top level's loss counts");
        AssertDiffer(Fit(new[] { 1.0, 1, 1 }, 0), Fit(new[] { 1.0, 1, 1 }, 0.5), "every level's loss counts");
    }

    [TestMethod]
    public void TheScheduleOptionGivesCosinesSecondStepOfTwoHalfTheRate()
    {
        // One task of 32 rows, batches of 32: one step an epoch. One epoch is one step at the full rate under both
        // schedules; over two, cosine's second rate is (1 + cos(pi / 2)) / 2 = 1/2 of the first, and Adam's step is
        // proportional to its rate, from the same weights, moments and gradient as the constant schedule's second step.
        var rows = MlNetTasks.Rows(32, seed: 1).Where(r => r.Task == "alpha").ToList();
        Dictionary<string, TorchSharp.torch.Tensor> Fit(int epochs, DvnLearningRateSchedule schedule)
        {
            var options = MlNetTasks.Options(epochs);
            options.TaskColumnName = null;
            options.LearningRateSchedule = schedule;
            var ml = new MLContext(seed: 1);
            var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Dvn(options))
                .Fit(ml.Data.LoadFromEnumerable(rows));
            return Parameters(MlNetTasks.DvnOf(model));
        }

        var first = Fit(1, DvnLearningRateSchedule.Constant);
        AssertSame(first, Fit(1, DvnLearningRateSchedule.Cosine), "one step");
        var constant = Fit(2, DvnLearningRateSchedule.Constant);
        var cosine = Fit(2, DvnLearningRateSchedule.Cosine);
        foreach (var (name, w1) in first)
        {
            var constantStep = constant[name] - w1;
            double size = constantStep.norm().item<float>();
            double gap = (cosine[name] - w1 - constantStep * 0.5).norm().item<float>();
            Assert.IsTrue(gap <= 1e-3 * size + 1e-6, $"{name}: cosine's second step is not half the constant one's (off by {gap}, step {size})");
        }
        Assert.IsTrue((constant["fullyConnected.0.weight"] - first["fullyConnected.0.weight"]).norm().item<float>() > 1e-3, "the second step did not move");
    }

    private static Dictionary<string, TorchSharp.torch.Tensor> Weights(DvnEstimator.Options options, List<TaskRow> rows)
    {
        var ml = new MLContext(seed: 1);
        return NetworkFixtures.Snapshot(MlNetTasks.DvnOf(MlNetTasks.Pipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(rows))).Model.Network);
    }

    private static Dictionary<string, TorchSharp.torch.Tensor> Parameters(DvnTransformer dvn) =>
        dvn.Model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    private static void AssertSame(Dictionary<string, TorchSharp.torch.Tensor> a, Dictionary<string, TorchSharp.torch.Tensor> b, string what)
    {
        CollectionAssert.AreEquivalent(a.Keys.ToArray(), b.Keys.ToArray());
        foreach (var (name, value) in a)
            Assert.IsTrue(NetworkFixtures.Same(value, b[name]), $"{what}: {name} differs");
    }

    private static void AssertDiffer(Dictionary<string, TorchSharp.torch.Tensor> a, Dictionary<string, TorchSharp.torch.Tensor> b, string what) =>
        Assert.IsTrue(a.Any(p => !NetworkFixtures.Same(p.Value, b[p.Key])), $"{what}: the option changed nothing");

    // Rows of GeneratedTasks' rules under task names, tasks interleaved: (name, rule, seed).
    private static List<TaskRow> Rows(params (string Name, int Rule, int Seed)[] tasks)
    {
        var perTask = tasks.Select(t => GeneratedTasks.Rows(t.Rule, 200, t.Seed)).ToArray();
        return Enumerable.Range(0, 200).SelectMany(i => tasks.Select((t, k) => new TaskRow
        {
            Features = perTask[k].Features[i],
            Label = $"{t.Name}:{perTask[k].Labels[i]}",
            Task = t.Name,
        })).ToList();
    }
}
