using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

[TestClass]
public sealed class DvnPipelineTests
{
    private static MLContext _ml = null!;
    private static ITransformer _model = null!;
    private static DvnTransformer _dvn = null!;
    private static List<TaskRow> _test = null!;
    private static readonly List<string> Log = new();

    [ClassInitialize]
    public static void Train(TestContext _)
    {
        _ml = new MLContext(seed: 3);
        _ml.Log += (_, e) => { if (e.Source.Contains("Dvn")) lock (Log) Log.Add(e.Message); };
        var train = _ml.Data.LoadFromEnumerable(MlNetTasks.Rows(300, seed: 1));
        _model = MlNetTasks.Pipeline(_ml, MlNetTasks.Options()).Fit(train);
        _dvn = MlNetTasks.Dvn(_model);
        _test = MlNetTasks.Rows(200, seed: 2);
    }

    [TestMethod]
    public void ChainedPipelinePredictsALabelOfTheRowsOwnTaskWellAboveChance()
    {
        var output = _model.Transform(_ml.Data.LoadFromEnumerable(_test));
        var predicted = MlNetTasks.Column<ReadOnlyMemory<char>>(output, "PredictedLabel").Select(p => p.ToString()).ToList();

        for (int t = 0; t < 3; t++)
        {
            var rows = Enumerable.Range(0, _test.Count).Where(i => _test[i].Task == MlNetTasks.TaskNames[t]).ToArray();
            Assert.IsTrue(rows.All(i => predicted[i].StartsWith(MlNetTasks.TaskNames[t] + ":")), $"task {t + 1} predicted another task's label");
            double accuracy = rows.Count(i => predicted[i] == _test[i].Label) / (double)rows.Length;
            Assert.IsTrue(accuracy > 0.8, $"task {t + 1}: accuracy {accuracy:P1} at the top level (chance 1/3, 1/2, 1/4)");
        }
    }

    [TestMethod]
    public void TheEstimatorsOutputShapeAndTheTransformersSchemaDescribeTheSameColumns()
    {
        var data = _ml.Data.LoadFromEnumerable(_test);
        var shape = MlNetTasks.Pipeline(_ml, MlNetTasks.Options()).GetOutputSchema(Shapes.Of(data.Schema));
        var schema = _model.Transform(data).Schema;

        foreach (var name in new[] { "Score", "PredictedLabel", "Level", "ParameterCount" })
        {
            var column = shape.Single(c => c.Name == name);
            var type = schema[name].Type is VectorDataViewType vector ? vector.ItemType : schema[name].Type;
            Assert.AreEqual(type.RawType, column.ItemType.RawType, name);
        }
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 9), schema["Score"].Type);
        Assert.AreEqual(NumberDataViewType.UInt32, schema["Level"].Type);
        Assert.AreEqual(NumberDataViewType.Int64, schema["ParameterCount"].Type);
        var dvnOutput = _dvn.GetOutputSchema(((IEnumerable<ITransformer>)_model).Take(3).Aggregate(data.Schema, (s, t) => t.GetOutputSchema(s)));
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 9), dvnOutput["PredictedLabel"].Type);
        Assert.IsTrue(dvnOutput["PredictedLabel"].HasKeyValues(), "PredictedLabel lost the label's key values");
    }

    [TestMethod]
    public void ScoreHoldsTheTasksProbabilitiesAtItsLabelKeysAndZeroElsewhere()
    {
        var output = _model.Transform(_ml.Data.LoadFromEnumerable(_test));
        var scores = MlNetTasks.Vectors(output, "Score");
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        output.Schema["Score"].GetSlotNames(ref slotNames);
        var labels = slotNames.DenseValues().Select(s => s.ToString()).ToArray();

        Assert.AreEqual(9, labels.Length, "3 + 2 + 4 labels over the three tasks");
        for (int i = 0; i < _test.Count; i++)
        {
            string task = _test[i].Task;
            var own = Enumerable.Range(0, 9).Where(k => labels[k].StartsWith(task + ":")).ToArray();
            Assert.AreEqual(1.0, own.Sum(k => (double)scores[i][k]), 1e-5, $"row {i}: the task's probabilities do not sum to 1");
            Assert.IsTrue(Enumerable.Range(0, 9).Except(own).All(k => scores[i][k] == 0), $"row {i}: another task's label has a score");
        }
    }

    [TestMethod]
    public void LevelAndParameterCountFollowTheBudgetRuleAtJustBelowAndBetweenLevelSizes()
    {
        var rows = new List<TaskRow>();
        var expected = new List<(int Level, long Count)>();
        for (int t = 1; t <= 3; t++)
        {
            var sizes = _dvn.GetLevels(t).Select(l => l.ParameterCount).ToArray();
            var cases = new (double Budget, int Level)[]
            {
                (sizes[0], 1), (sizes[1] - 1, 1), (sizes[1], 2), ((sizes[1] + sizes[2]) / 2, 2), (sizes[2] - 1, 2),
                (sizes[2], 3), (sizes[2] * 10.0, 3), (double.NaN, 3),
            };
            foreach (var (budget, level) in cases)
            {
                var row = _test.First(r => r.Task == MlNetTasks.TaskNames[t - 1]);
                rows.Add(new TaskRow { Features = row.Features, Label = row.Label, Task = row.Task, MemoryBudget = budget });
                expected.Add((level, sizes[level - 1]));
            }
        }

        var output = _model.Transform(_ml.Data.LoadFromEnumerable(rows));
        var levels = MlNetTasks.Column<uint>(output, "Level");
        var counts = MlNetTasks.Column<long>(output, "ParameterCount");

        CollectionAssert.AreEqual(expected.Select(e => (uint)e.Level).ToArray(), levels.ToArray());
        CollectionAssert.AreEqual(expected.Select(e => e.Count).ToArray(), counts.ToArray());
    }

    [TestMethod]
    public void ABudgetBelowTheSmallestLevelFailsNamingTheTaskTheBudgetAndTheSmallestSize()
    {
        long smallest = _dvn.GetLevels(2)[0].ParameterCount;
        var row = _test.First(r => r.Task == "beta");
        var data = _ml.Data.LoadFromEnumerable(new[] { new TaskRow { Features = row.Features, Label = row.Label, Task = "beta", MemoryBudget = smallest - 1 } });

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => MlNetTasks.Column<uint>(_model.Transform(data), "Level"));

        StringAssert.Contains(error.Message, "'beta'");
        StringAssert.Contains(error.Message, $"budget of {smallest - 1} parameters");
        StringAssert.Contains(error.Message, $"level 1 with {smallest} parameters");
    }

    [TestMethod]
    public void WithoutABudgetColumnEveryRowRunsAtTheHighestLevel()
    {
        var data = _ml.Data.LoadFromEnumerable(_test.Take(30).Select(r => new NoBudgetRow { Features = r.Features, Label = r.Label, Task = r.Task }));

        var output = _model.Transform(data);

        Assert.IsNull(data.Schema.GetColumnOrNull("MemoryBudget"));
        CollectionAssert.AreEqual(Enumerable.Repeat(3u, 30).ToArray(), MlNetTasks.Column<uint>(output, "Level").ToArray());
    }

    [TestMethod]
    public void PredictionEngineAndTransformGiveTheSamePredictions()
    {
        var rows = _test.Select((r, i) => new TaskRow { Features = r.Features, Label = r.Label, Task = r.Task, MemoryBudget = i % 4 == 0 ? double.NaN : _dvn.GetLevels(1)[i % 3].ParameterCount + 10_000 * (i % 2) }).ToList();
        var batched = _ml.Data.CreateEnumerable<TaskPrediction>(_model.Transform(_ml.Data.LoadFromEnumerable(rows)), reuseRowObject: false).ToList();
        using var engine = _ml.Model.CreatePredictionEngine<TaskRow, TaskPrediction>(_model);

        for (int i = 0; i < rows.Count; i++)
        {
            var single = engine.Predict(rows[i]);
            Assert.AreEqual(batched[i].PredictedLabel, single.PredictedLabel, $"row {i}");
            Assert.AreEqual(batched[i].Level, single.Level, $"row {i}");
            Assert.AreEqual(batched[i].ParameterCount, single.ParameterCount, $"row {i}");
            for (int k = 0; k < single.Score.Length; k++)
                Assert.AreEqual(batched[i].Score[k], single.Score[k], 1e-6, $"row {i}, score {k}");
        }
    }

    [TestMethod]
    public void LongPredictionRunsLeaveNoTensorsBehind()
    {
        var rows = Enumerable.Range(0, 2).SelectMany(_ => _test).Select((r, i) => new TaskRow
        {
            Features = r.Features, Label = r.Label, Task = r.Task,
            MemoryBudget = i % 3 == 0 ? double.NaN : _dvn.GetLevels(1)[i % 3].ParameterCount + 1_000,
        }).ToList();
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var engine = _ml.Model.CreatePredictionEngine<TaskRow, TaskPrediction>(_model, new PredictionEngineOptions { OwnsTransformer = false });
        void Predict()
        {
            MlNetTasks.Vectors(_model.Transform(data), "Score");
            foreach (var row in rows.Take(100))
                engine.Predict(row);
        }
        Predict();
        long before = TorchSharp.torch.Tensor.TotalCount;

        for (int pass = 0; pass < 3; pass++)
            Predict();

        Assert.IsTrue(TorchSharp.torch.Tensor.TotalCount <= before,
            $"{TorchSharp.torch.Tensor.TotalCount - before} tensors more after 3 passes of {rows.Count} batched and 100 single-row predictions");
    }

    [TestMethod]
    public void EvaluateMatchesEvaluateLevelsForRowsAtTheTopLevel()
    {
        var data = _ml.Data.LoadFromEnumerable(_test);
        var withoutKeyToValue = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)_model).Take(4).ToArray());
        var metrics = _ml.MulticlassClassification.Evaluate(withoutKeyToValue.Transform(data));
        var prepared = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)_model).Take(3).ToArray()).Transform(data);
        var levels = _dvn.EvaluateLevels(prepared);

        var top = levels.Where(l => l.Level == 3).ToArray();
        Assert.AreEqual(3, top.Length);
        double micro = top.Sum(l => l.MicroAccuracy * l.RowCount) / top.Sum(l => l.RowCount);
        Assert.AreEqual(metrics.MicroAccuracy, micro, 1e-12);
        Assert.AreEqual(metrics.LogLoss, top.Sum(l => l.LogLoss * l.RowCount) / top.Sum(l => l.RowCount), 1e-5);
    }

    [TestMethod]
    public void EvaluateLevelsReportsEveryTaskAndLevelAndBiggerLevelsAreNotMuchWorse()
    {
        var prepared = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)_model).Take(3).ToArray())
            .Transform(_ml.Data.LoadFromEnumerable(_test));

        var levels = _dvn.EvaluateLevels(prepared);

        Assert.AreEqual(9, levels.Count);
        foreach (var level in levels)
        {
            Assert.AreEqual(200, level.RowCount);
            Assert.AreEqual(_dvn.GetLevels(level.Task)[level.Level - 1].ParameterCount, level.ParameterCount);
            Assert.IsTrue(level.MicroAccuracy > 0.75, $"task {level.Task} level {level.Level}: {level.MicroAccuracy:P1}");
            Assert.IsTrue(level.MacroAccuracy > 0.7 && level.LogLoss is > 0 and < 1, $"task {level.Task} level {level.Level}: macro {level.MacroAccuracy:P1}, log-loss {level.LogLoss:F3}");
        }
        for (int t = 1; t <= 3; t++)
            Assert.IsTrue(levels.Single(l => l.Task == t && l.Level == 3).MicroAccuracy >= levels.Single(l => l.Task == t && l.Level == 1).MicroAccuracy - 0.05);
    }

    [TestMethod]
    public void APipelineFindsItsDvnEvaluatesItsLevelsFromRawDataAndNamesItsTasks()
    {
        var raw = _ml.Data.LoadFromEnumerable(_test);
        var prepared = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)_model).Take(3).ToArray()).Transform(raw);

        Assert.AreSame(_dvn, _model.GetDvnTransformer());
        CollectionAssert.AreEqual(_dvn.EvaluateLevels(prepared).ToArray(), _model.EvaluateDvnLevels(raw).ToArray());
        CollectionAssert.AreEqual(MlNetTasks.TaskNames, Enumerable.Range(1, 3).Select(_dvn.GetTaskName).ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => _ml.Transforms.Conversion.MapValueToKey("Task").Fit(raw).GetDvnTransformer());
    }

    [TestMethod]
    public void GetLevelsDescribesTheAllocationAndSizesGrow()
    {
        Assert.AreEqual(3, _dvn.NumberOfTasks);
        Assert.AreEqual(3, _dvn.NumberOfLevels);
        CollectionAssert.AreEqual(new[] { 2, 3 }, _dvn.GetLevels(3)[1].Units.ToArray());
        CollectionAssert.AreEqual(new[] { 1, 2 }, _dvn.GetLevels(2)[1].Units.ToArray());
        for (int t = 1; t <= 3; t++)
        {
            var levels = _dvn.GetLevels(t);
            CollectionAssert.AreEqual(new[] { 1, 2, 3 }, levels.Select(l => l.Level).ToArray());
            Assert.IsTrue(levels[0].ParameterCount < levels[1].ParameterCount && levels[1].ParameterCount < levels[2].ParameterCount);
        }
        // MLP 10-30-30 cut into units of 10, classes 3, 2 and 4: the shared weights, then what each (task, level) owns
        // (batch norm: 4 numbers a channel in both hidden layers; head: weights and biases).
        int[] classes = { 3, 2, 4 };
        long Own(int task, int level) => 4 * (10 * level + 10 * level) + (10 * level + 1) * classes[task - 1];
        const long shared = 10 * 30 + 30 * 30;
        for (int t = 1; t <= 3; t++)
            Assert.AreEqual(shared + Own(t, 3), _dvn.GetLevels(t)[2].ParameterCount, $"task {t}, top level");
        Assert.AreEqual(shared + Enumerable.Range(1, 3).Sum(t => Enumerable.Range(1, 3).Sum(j => Own(t, j))), _dvn.StoredParameterCount);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _dvn.GetLevels(4));
    }

    [TestMethod]
    public void TrainingProgressReachesTheMlContextLog()
    {
        lock (Log)
        {
            Assert.IsTrue(Log.Any(m => m.Contains("Epoch 15/15")), "no message for the last epoch");
            Assert.IsTrue(Log.Any(m => m.Contains("t3/L2 loss")), "no per-level figures");
        }
    }

    [TestMethod]
    public void TwoFitsWithTheSameSeedGiveIdenticalScoresAndTheMlContextSeedIsTheDefault()
    {
        var train = MlNetTasks.Rows(60, seed: 5);
        float[][] Scores(MLContext ml, int? seed)
        {
            var options = MlNetTasks.Options(epochs: 2);
            options.Seed = seed;
            var data = ml.Data.LoadFromEnumerable(train);
            var model = MlNetTasks.Pipeline(ml, options).Fit(data);
            return MlNetTasks.Vectors(model.Transform(data), "Score").ToArray();
        }

        var first = Scores(new MLContext(), 7);
        var second = Scores(new MLContext(), 7);
        var contextSeeded = Scores(new MLContext(seed: 7), null);
        var otherSeed = Scores(new MLContext(), 8);

        for (int i = 0; i < first.Length; i++)
        {
            CollectionAssert.AreEqual(first[i], second[i], $"row {i}");
            CollectionAssert.AreEqual(first[i], contextSeeded[i], $"row {i}: MLContext(seed: 7) differs from Seed = 7");
        }
        Assert.IsTrue(first.Where((s, i) => !s.SequenceEqual(otherSeed[i])).Any(), "seed 8 gave the same scores as seed 7");
    }

    [TestMethod]
    public void CrossValidationRunsWithTheDvnInsideThePipeline()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(120, seed: 4));
        // The constant rate: the 60% bar was set with it. This run has about 90 optimizer steps, and the default schedule
        // (decay over the second half) costs such short runs some accuracy (docs/benchmarks.md, "The default
        // learning-rate schedule"); what this test checks is cross-validation, not the schedule.
        var options = MlNetTasks.Options(epochs: 10);
        options.LearningRateSchedule = DvnLearningRateSchedule.Constant;
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Task")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.Dvn(options));

        var folds = ml.MulticlassClassification.CrossValidate(data, pipeline, numberOfFolds: 3);

        Assert.AreEqual(3, folds.Count);
        foreach (var fold in folds)
        {
            Assert.IsTrue(fold.Metrics.MicroAccuracy > 0.6, $"fold {fold.Fold}: {fold.Metrics.MicroAccuracy:P1}");
        }
    }

    [TestMethod]
    public void TheLastEpochsValidationAccuracyIsWhatTheFittedTransformerPredictsAtThatLevel()
    {
        var ml = new MLContext(seed: 1);
        var keys = ml.Transforms.Conversion.MapValueToKey("Task").Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Fit(ml.Data.LoadFromEnumerable(MlNetTasks.Rows(60, seed: 1)));
        var train = keys.Transform(ml.Data.LoadFromEnumerable(MlNetTasks.Rows(60, seed: 1)));
        var validationRows = MlNetTasks.Rows(30, seed: 2);
        var reports = new List<DvnEpochReport>();
        var options = MlNetTasks.Options(epochs: 3);
        options.ValidationSet = keys.Transform(ml.Data.LoadFromEnumerable(validationRows));
        options.EpochCompleted = reports.Add;

        var dvn = ml.MulticlassClassification.Trainers.Dvn(options).Fit(train);

        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, reports.Select(r => r.Epoch).ToArray());
        Assert.IsTrue(reports.All(r => r.Levels.Count == 9), "a report without all 9 (task, level) pairs");
        // A second route: the validation rows through the fitted transformer, each task's rows with the budget of one
        // level (its parameter count), and their predicted label keys compared with their label keys here.
        foreach (var reported in reports[^1].Levels)
        {
            string name = dvn.GetTaskName(reported.Task);
            long budget = dvn.GetLevels(reported.Task)[reported.Level - 1].ParameterCount;
            var rows = validationRows.Where(r => r.Task == name)
                .Select(r => new TaskRow { Features = r.Features, Label = r.Label, Task = r.Task, MemoryBudget = budget }).ToList();
            var scored = dvn.Transform(keys.Transform(ml.Data.LoadFromEnumerable(rows)));
            var labels = MlNetTasks.Column<uint>(scored, "Label");
            var predicted = MlNetTasks.Column<uint>(scored, "PredictedLabel");
            Assert.IsTrue(MlNetTasks.Column<uint>(scored, "Level").All(l => l == reported.Level), $"task {name}: a row ran at another level than {reported.Level}");
            double accuracy = labels.Where((label, i) => label == predicted[i]).Count() / (double)rows.Count;
            Assert.AreEqual(30, rows.Count);
            Assert.AreEqual(accuracy, reported.ValidationAccuracy, $"task {name} level {reported.Level}");
        }
    }

    private sealed class NoBudgetRow
    {
        [VectorType(GeneratedTasks.FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public string Label { get; set; } = "";

        public string Task { get; set; } = "";
    }
}
