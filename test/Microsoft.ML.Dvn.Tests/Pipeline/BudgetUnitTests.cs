using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>Level choice by budgets in parameters, bytes and microseconds, against sizes worked out here from the architecture.</summary>
[TestClass]
public sealed class BudgetUnitTests
{
    // MlNetTasks: 10 features, Mlp(30, 30), three tasks of 3, 2 and 4 classes, three units of 10 a layer; level j of every
    // task has j units, so both hidden layers are 10 j wide.
    private const int Features = 10;
    private static readonly int[] Classes = { 3, 2, 4 };

    private static MLContext _ml = null!;
    private static ITransformer _model = null!;
    private static DvnTransformer _dvn = null!;
    private static List<TaskRow> _rows = null!;

    [ClassInitialize]
    public static void Train(TestContext _)
    {
        _ml = new MLContext(seed: 5);
        _model = MlNetTasks.Pipeline(_ml, MlNetTasks.Options(epochs: 1)).Fit(_ml.Data.LoadFromEnumerable(MlNetTasks.Rows(60, seed: 1)));
        _dvn = MlNetTasks.Dvn(_model);
        _rows = MlNetTasks.Rows(2, seed: 2);
    }

    private static long Parameters(int task, int level)
    {
        long w = 10 * level, c = Classes[task - 1];
        return Features * w + 4 * w + w * w + 4 * w + c * w + c;
    }

    // The features, three tensors a hidden layer (linear, norm, ReLU), logits and probabilities: 4 bytes a value.
    private static long Bytes(int task, int level)
    {
        long w = 10 * level, c = Classes[task - 1];
        return 4 * (Parameters(task, level) + Features + 3 * w + 3 * w + 2 * c);
    }

    [TestMethod]
    public void LevelsReportParameterCountsAndBytesWorkedOutFromTheArchitecture()
    {
        for (int t = 1; t <= 3; t++)
            for (int j = 1; j <= 3; j++)
            {
                var level = _dvn.GetLevels(t)[j - 1];
                Assert.AreEqual(Parameters(t, j), level.ParameterCount, $"task {t}, level {j}: parameters");
                Assert.AreEqual(Bytes(t, j), level.MemoryBytes, $"task {t}, level {j}: bytes");
                Assert.AreEqual(Bytes(t, j) - 4 * Parameters(t, j), level.ActivationBytes, $"task {t}, level {j}: activation bytes");
            }
        // Task 3, level 1 by hand: 10x10 + 40 + 10x10 + 40 + 4x10 + 4 = 324 parameters; 10 + 30 + 30 + 8 = 78 activations.
        Assert.AreEqual(4 * (324 + 78), _dvn.GetLevels(3)[0].MemoryBytes);
    }

    [TestMethod]
    public void ABudgetInBytesPicksTheHighestLevelThatFitsAtBetweenAndBeyondLevels()
    {
        var cases = new List<(string Task, double Budget, int Level)>();
        for (int t = 1; t <= 3; t++)
        {
            string task = MlNetTasks.TaskNames[t - 1];
            long b1 = Bytes(t, 1), b2 = Bytes(t, 2), b3 = Bytes(t, 3);
            cases.AddRange(new[]
            {
                (task, (double)b1, 1), (task, b1 + 1.0, 1), (task, b2 - 0.5, 1), (task, (double)b2, 2), (task, (b2 + b3) / 2.0, 2),
                (task, b3 - 1.0, 2), (task, (double)b3, 3), (task, b3 * 1000.0, 3), (task, double.PositiveInfinity, 3), (task, double.NaN, 3),
            });
        }
        var rows = cases.Select(c => new BytesRow { Features = Row(c.Task).Features, Label = Row(c.Task).Label, Task = c.Task, MemoryBudgetBytes = c.Budget });

        var output = _model.Transform(_ml.Data.LoadFromEnumerable(rows));

        CollectionAssert.AreEqual(cases.Select(c => (uint)c.Level).ToArray(), MlNetTasks.Column<uint>(output, "Level").ToArray());
        CollectionAssert.AreEqual(cases.Select(c => Parameters(Array.IndexOf(MlNetTasks.TaskNames, c.Task) + 1, c.Level)).ToArray(),
            MlNetTasks.Column<long>(output, "ParameterCount").ToArray());
    }

    [TestMethod]
    public void AnInt64BudgetInBytesIsComparedExactly()
    {
        long b2 = Bytes(2, 2);
        var rows = new[] { b2 - 1, b2, b2 + 1, long.MaxValue }
            .Select(b => new LongBytesRow { Features = Row("beta").Features, Label = Row("beta").Label, Task = "beta", MemoryBudgetBytes = b });

        var levels = MlNetTasks.Column<uint>(_model.Transform(_ml.Data.LoadFromEnumerable(rows)), "Level");

        CollectionAssert.AreEqual(new uint[] { 1, 2, 2, 3 }, levels.ToArray());
    }

    [TestMethod]
    public void ABudgetInBytesBelowTheSmallestLevelFailsNamingTaskBudgetUnitAndSmallestLevel()
    {
        long smallest = Bytes(3, 1);
        var data = _ml.Data.LoadFromEnumerable(new[] { new BytesRow { Features = Row("gamma").Features, Label = Row("gamma").Label, Task = "gamma", MemoryBudgetBytes = smallest - 1 } });

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => MlNetTasks.Column<uint>(_model.Transform(data), "Level"));

        StringAssert.Contains(error.Message, "Column 'MemoryBudgetBytes'");
        StringAssert.Contains(error.Message, "'gamma'");
        StringAssert.Contains(error.Message, $"budget of {smallest - 1} bytes");
        StringAssert.Contains(error.Message, $"level 1 with {smallest} bytes");
    }

    [TestMethod]
    public void ABudgetInMicrosecondsPicksTheHighestLevelWhoseGivenLatencyFits()
    {
        var dvn = FreshDvn(out var model);
        // A given table: task t at level j takes 100 j + t microseconds (level 2 of task 2 deliberately slower than level 3).
        double Latency(int t, int j) => t == 2 && j == 2 ? 350 : 100 * j + t;
        dvn.SetLatencies(Table(Latency));
        var cases = new (string Task, double Budget, int Level)[]
        {
            ("alpha", 101, 1), ("alpha", 150.5, 1), ("alpha", 201, 2), ("alpha", 300.999, 2), ("alpha", 301, 3), ("alpha", 1e9, 3), ("alpha", double.NaN, 3),
            ("beta", 102, 1), ("beta", 302, 3), ("beta", 349.9, 3), ("beta", 301.9, 1),
            ("gamma", 103, 1), ("gamma", 203, 2), ("gamma", 302.5, 2), ("gamma", 303, 3),
        };
        var rows = cases.Select(c => new LatencyRow { Features = Row(c.Task).Features, Label = Row(c.Task).Label, Task = c.Task, LatencyBudget = c.Budget });

        var output = model.Transform(_ml.Data.LoadFromEnumerable(rows));

        CollectionAssert.AreEqual(cases.Select(c => (uint)c.Level).ToArray(), MlNetTasks.Column<uint>(output, "Level").ToArray());
        Assert.AreEqual(350, dvn.GetLevels(2)[1].LatencyMicroseconds);
    }

    [TestMethod]
    public void ALatencyBudgetBelowTheFastestLevelFailsNamingTaskBudgetUnitAndThatLevel()
    {
        var dvn = FreshDvn(out var model);
        dvn.SetLatencies(Table((t, j) => 100 * j + t));
        var data = _ml.Data.LoadFromEnumerable(new[] { new LatencyRow { Features = Row("beta").Features, Label = Row("beta").Label, Task = "beta", LatencyBudget = 101.5 } });

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => MlNetTasks.Column<uint>(model.Transform(data), "Level"));

        StringAssert.Contains(error.Message, "Column 'LatencyBudget'");
        StringAssert.Contains(error.Message, "'beta'");
        StringAssert.Contains(error.Message, "budget of 101.5 microseconds");
        StringAssert.Contains(error.Message, "level 1 with 102 microseconds");
    }

    // The three errors of a budget below every level, whole (docs/method.md, "Inference under a memory budget"; the
    // README's serving section): the column, the row, the budget as given, its unit, the task, the smallest (or
    // fastest) level and its size, and what to give instead. The failing row is the second (row 1): the first fits.

    [TestMethod]
    public void AParameterBudgetBelowEveryLevelFailsWithTheWholeMessage()
    {
        // Task beta (key 2: the second task name met), level 1: 10x10 + 40 + 10x10 + 40 + 2x10 + 2 = 302 parameters.
        var rows = new[] { 1e6, 301.5 }.Select(b => new AllBudgetsRow
        {
            Features = Row("beta").Features, Label = Row("beta").Label, Task = "beta",
            MemoryBudget = b, MemoryBudgetBytes = double.NaN, LatencyBudget = double.NaN,
        });

        Assert.AreEqual("Column 'MemoryBudget', row 1: a budget of 301.5 parameters is below the smallest level of task 'beta' (key 2), " +
            "level 1 with 302 parameters. Give at least 302, or leave the budget missing (NaN) for the largest level.", ErrorOf(_model, rows));
    }

    [TestMethod]
    public void ABytesBudgetBelowEveryLevelFailsWithTheWholeMessage()
    {
        // Task gamma (key 3), level 1: 324 parameters (above) and 10 + 30 + 30 + 8 = 78 activation values, 4 x 402 = 1608 bytes.
        var rows = new[] { 1e6, 1607 }.Select(b => new BytesRow { Features = Row("gamma").Features, Label = Row("gamma").Label, Task = "gamma", MemoryBudgetBytes = b });

        Assert.AreEqual("Column 'MemoryBudgetBytes', row 1: a budget of 1607 bytes is below the smallest level of task 'gamma' (key 3), " +
            "level 1 with 1608 bytes (324 parameters and 78 activation values of one row, 4 bytes each). " +
            "Give at least 1608, or leave the budget missing (NaN) for the largest level.", ErrorOf(_model, rows));
    }

    [TestMethod]
    public void ALatencyBudgetBelowEveryLevelFailsWithTheWholeMessageNamingTheFastestLevel()
    {
        var dvn = FreshDvn(out var model);
        // Task beta's level 2 is the fastest here (120.75 us), not level 1; the table is p90, measured on machine "test".
        dvn.SetLatencies(Table((t, j) => t == 2 ? new[] { 150.25, 120.75, 300 }[j - 1] : 100 * j + t));
        var rows = new[] { 1e6, 120.5 }.Select(b => new LatencyRow { Features = Row("beta").Features, Label = Row("beta").Label, Task = "beta", LatencyBudget = b });

        Assert.AreEqual("Column 'LatencyBudget', row 1: a budget of 120.5 microseconds is below the fastest level of task 'beta' (key 2), " +
            "level 2 with 120.75 microseconds (single-row p90 measured on test). " +
            "Give at least 120.75, or leave the budget missing (NaN) for the largest level.", ErrorOf(model, rows));
    }

    [TestMethod]
    public void ALatencyBudgetWithoutMeasuredLatenciesFailsSayingHowToMeasure()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new LatencyRow { Features = Row("alpha").Features, Label = Row("alpha").Label, Task = "alpha", LatencyBudget = 500 } });

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => MlNetTasks.Column<uint>(FreshModel().Transform(data), "Level"));

        // The whole message (it names the column, MeasureLatency and SetLatencies, as this test checked before).
        Assert.AreEqual("Column 'LatencyBudget', row 0: a latency budget of 500 microseconds needs the measured latency of every level, " +
            "and this DVN transformer has none. Measure it on this machine with dvnTransformer.MeasureLatency(sampleRows), " +
            "or attach a saved table with dvnTransformer.SetLatencies(DvnLatencyTable.Load(path)), before making the PredictionEngine " +
            "or calling Transform; or leave the latency budget missing (NaN).", error.Message);
    }

    [TestMethod]
    public void EveryBudgetARowGivesLimitsItsLevel()
    {
        var dvn = FreshDvn(out var model);
        dvn.SetLatencies(Table((t, j) => 100 * j + t));
        var rows = new[]
        {
            new AllBudgetsRow { MemoryBudget = Parameters(1, 3), MemoryBudgetBytes = Bytes(1, 2), LatencyBudget = 1e6 },
            new AllBudgetsRow { MemoryBudget = Parameters(1, 3), MemoryBudgetBytes = double.NaN, LatencyBudget = 150 },
            new AllBudgetsRow { MemoryBudget = Parameters(1, 2), MemoryBudgetBytes = Bytes(1, 3), LatencyBudget = double.NaN },
            new AllBudgetsRow { MemoryBudget = double.NaN, MemoryBudgetBytes = double.NaN, LatencyBudget = double.NaN },
        };
        foreach (var row in rows)
            (row.Features, row.Label, row.Task) = (Row("alpha").Features, Row("alpha").Label, "alpha");

        var levels = MlNetTasks.Column<uint>(model.Transform(_ml.Data.LoadFromEnumerable(rows)), "Level");

        CollectionAssert.AreEqual(new uint[] { 2, 1, 2, 3 }, levels.ToArray());
    }

    [TestMethod]
    public void ATableWithoutEveryLevelIsRefusedNamingWhatIsMissing()
    {
        var partial = new DvnLatencyTable(new DvnMachine("m", "cpu", 2, "os", 1), DateTimeOffset.UnixEpoch, 90, 1,
            new[] { new DvnLevelLatency(1, 1, 10, 100, 8) });

        var error = Assert.ThrowsExactly<ArgumentException>(() => FreshDvn(out _).SetLatencies(partial));

        StringAssert.Contains(error.Message, "task 'alpha' (key 1) at level 2");
    }

    [TestMethod]
    public void BudgetColumnNamesOtherThanTheDefaultsSurviveSaveAndLoad()
    {
        var options = MlNetTasks.Options(epochs: 1);
        options.MemoryBudgetBytesColumnName = "Bytes";
        options.LatencyBudgetColumnName = "Micros";
        var data = _ml.Data.LoadFromEnumerable(MlNetTasks.Rows(20, seed: 1));
        var model = MlNetTasks.Pipeline(_ml, options).Fit(data);
        var zip = ModelZip.Save(_ml, model, data.Schema);

        var loaded = ModelZip.Load(zip);
        var rows = new[] { new RenamedRow { Features = Row("alpha").Features, Label = Row("alpha").Label, Task = "alpha", Bytes = Bytes(1, 2) } };
        var levels = MlNetTasks.Column<uint>(loaded.Transform(_ml.Data.LoadFromEnumerable(rows)), "Level");

        Assert.AreEqual(2u, levels.Single());
        CollectionAssert.AreEqual(_dvn.GetLevels(1).Select(l => l.MemoryBytes).ToArray(), MlNetTasks.Dvn(loaded).GetLevels(1).Select(l => l.MemoryBytes).ToArray());
    }

    [TestMethod]
    public void AModelWithTheDefaultBudgetColumnsIsWrittenWithoutTheNewFields()
    {
        var zip = ModelZip.Save(_ml, _model, _ml.Data.LoadFromEnumerable(_rows).Schema);
        string entry = System.Text.Encoding.UTF8.GetString(ModelZip.DvnEntry(zip));

        Assert.IsFalse(entry.Contains("memoryBudgetBytes"), "a field 0.2.0 does not know");
        Assert.IsFalse(entry.Contains("latencyBudget"), "a field 0.2.0 does not know");
        Assert.IsTrue(entry.Contains("memoryBudget"));
        var loaded = MlNetTasks.Dvn(ModelZip.Load(zip));
        Assert.AreEqual(Bytes(2, 3), loaded.GetLevels(2)[2].MemoryBytes, "bytes computed from the declared network at load");
    }

    [TestMethod]
    public void EqualBudgetColumnNamesAreRefused()
    {
        var options = MlNetTasks.Options();
        options.LatencyBudgetColumnName = "MemoryBudget";

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MlNetTasks.Pipeline(_ml, options));

        StringAssert.Contains(error.Message, "LatencyBudgetColumnName");
        StringAssert.Contains(error.Message, "three different names");
    }

    // Each test that attaches a table gets its own model: the class's model stays without one.
    private static DvnTransformer FreshDvn(out ITransformer model)
    {
        model = FreshModel();
        return MlNetTasks.Dvn(model);
    }

    private static ITransformer FreshModel()
    {
        var zip = ModelZip.Save(_ml, _model, _ml.Data.LoadFromEnumerable(_rows).Schema);
        return ModelZip.Load(zip);
    }

    // The message of the error reading the rows' levels raises.
    private static string ErrorOf<TRow>(ITransformer model, IEnumerable<TRow> rows) where TRow : class =>
        Assert.ThrowsExactly<InvalidOperationException>(() => MlNetTasks.Column<uint>(model.Transform(_ml.Data.LoadFromEnumerable(rows)), "Level")).Message;

    private static DvnLatencyTable Table(Func<int, int, double> microseconds) =>
        new(new DvnMachine("test", "given", 2, "any", 1), DateTimeOffset.UnixEpoch, 90, 10,
            Enumerable.Range(1, 3).SelectMany(t => Enumerable.Range(1, 3).Select(j => new DvnLevelLatency(t, j, microseconds(t, j), 64 * microseconds(t, j), 64))));

    private static TaskRow Row(string task) => _rows.First(r => r.Task == task);

    public class BaseRow
    {
        [VectorType(GeneratedTasks.FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public string Label { get; set; } = "";

        public string Task { get; set; } = "";
    }

    public sealed class BytesRow : BaseRow
    {
        public double MemoryBudgetBytes { get; set; }
    }

    public sealed class LongBytesRow : BaseRow
    {
        public long MemoryBudgetBytes { get; set; }
    }

    public sealed class LatencyRow : BaseRow
    {
        public double LatencyBudget { get; set; }
    }

    public sealed class AllBudgetsRow : BaseRow
    {
        public double MemoryBudget { get; set; }

        public double MemoryBudgetBytes { get; set; }

        public double LatencyBudget { get; set; }
    }

    public sealed class RenamedRow : BaseRow
    {
        public double Bytes { get; set; }
    }
}
