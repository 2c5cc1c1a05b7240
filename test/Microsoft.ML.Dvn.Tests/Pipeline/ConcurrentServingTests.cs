using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// One loaded model serving many threads at once, as a server shares it: every thread must get exactly what a
/// single thread gets. The suite itself runs tests one at a time; this test starts its own threads.
/// </summary>
[TestClass]
public sealed class ConcurrentServingTests
{
    private const int RowsPerThread = 10_000;
    private const int EngineThreads = 8;
    private const int CursorThreads = 2;

    [TestMethod]
    public void EightPredictionEnginesAndTwoTransformCursorsOnOneLoadedModelGiveTheSingleThreadedResults()
    {
        var ml = new MLContext(seed: 1);
        var training = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(100, seed: 1));
        var fitted = MlNetTasks.Pipeline(ml, MlNetTasks.Options(epochs: 2)).Fit(training);
        using var zip = new MemoryStream(ModelZip.Save(ml, fitted, training.Schema));
        var model = new MLContext().Model.Load(zip, out _);
        var rows = RowsAtEveryLevel(MlNetTasks.DvnOf(model));
        var data = ml.Data.LoadFromEnumerable(rows);

        var engineExpected = PredictOneByOne(ml, model, rows, offset: 0);
        var cursorExpected = ReadCursor(model.Transform(data));
        CollectionAssert.AreEquivalent(new uint[] { 1, 2, 3 }, engineExpected.Select(p => p.Level).Distinct().ToArray(), "the rows select every level");
        AssertSameDecisions(engineExpected, cursorExpected, "PredictionEngine against Transform, one thread");

        // Every engine thread starts at another row, so that threads run different (task, level)s at the same moment.
        var engineResults = new Row[EngineThreads][];
        var cursorResults = new Row[CursorThreads][];
        var failures = new List<Exception>();
        var threads = Enumerable.Range(0, EngineThreads)
            .Select(t => Recording(failures, () => engineResults[t] = PredictOneByOne(ml, model, rows, offset: t * 1_237)))
            .Concat(Enumerable.Range(0, CursorThreads).Select(t => Recording(failures, () => cursorResults[t] = ReadCursor(model.Transform(data)))))
            .ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            thread.Join();

        Assert.AreEqual(0, failures.Count, $"threads failed: {string.Join("; ", failures)}");
        for (int t = 0; t < EngineThreads; t++)
            AssertIdentical(engineExpected, engineResults[t], $"PredictionEngine thread {t}");
        for (int t = 0; t < CursorThreads; t++)
            AssertIdentical(cursorExpected, cursorResults[t], $"Transform cursor thread {t}");
    }

    // A thread whose exception is recorded for the test to report, instead of ending the test process.
    private static Thread Recording(List<Exception> failures, Action body) => new(() =>
    {
        try
        {
            body();
        }
        catch (Exception e)
        {
            lock (failures)
                failures.Add(e);
        }
    });

    // Results in row order whatever order the rows were predicted in.
    private static Row[] PredictOneByOne(MLContext ml, ITransformer model, List<TaskRow> rows, int offset)
    {
        using var engine = ml.Model.CreatePredictionEngine<TaskRow, TaskPrediction>(model);
        var results = new Row[rows.Count];
        for (int k = 0; k < rows.Count; k++)
        {
            int i = (k + offset) % rows.Count;
            var prediction = engine.Predict(rows[i]);
            results[i] = new Row(prediction.Score, prediction.PredictedLabel, prediction.Level, prediction.ParameterCount);
        }
        return results;
    }

    private static Row[] ReadCursor(IDataView output)
    {
        var columns = new[] { "Score", "PredictedLabel", "Level", "ParameterCount" }.Select(n => output.Schema[n]).ToArray();
        using var cursor = output.GetRowCursor(columns);
        var score = cursor.GetGetter<VBuffer<float>>(columns[0]);
        var label = cursor.GetGetter<ReadOnlyMemory<char>>(columns[1]);
        var level = cursor.GetGetter<uint>(columns[2]);
        var parameters = cursor.GetGetter<long>(columns[3]);
        VBuffer<float> s = default;
        ReadOnlyMemory<char> l = default;
        uint v = 0;
        long p = 0;
        var results = new List<Row>();
        while (cursor.MoveNext())
        {
            score(ref s);
            label(ref l);
            level(ref v);
            parameters(ref p);
            results.Add(new Row(s.DenseValues().ToArray(), l.ToString(), v, p));
        }
        return results.ToArray();
    }

    // Budgets select level 1, 2, 3 and none (NaN, the highest) in turn.
    private static List<TaskRow> RowsAtEveryLevel(DvnTransformer dvn)
    {
        var rows = MlNetTasks.Rows(RowsPerThread / 3 + 1, seed: 2).Take(RowsPerThread).ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            var levels = dvn.GetLevels(Array.IndexOf(MlNetTasks.TaskNames, rows[i].Task) + 1);
            rows[i].MemoryBudget = (i / 3 % 4) switch { 3 => double.NaN, var j => levels[j].ParameterCount };
        }
        return rows;
    }

    private static void AssertIdentical(Row[] expected, Row[] actual, string what)
    {
        AssertSameDecisions(expected, actual, what);
        for (int i = 0; i < expected.Length; i++)
            Assert.IsTrue(expected[i].Score.AsSpan().SequenceEqual(actual[i].Score), $"{what}: row {i}: the scores differ in some bit");
    }

    private static void AssertSameDecisions(Row[] expected, Row[] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: row count");
        for (int i = 0; i < expected.Length; i++)
            Assert.IsTrue(expected[i].Label == actual[i].Label && expected[i].Level == actual[i].Level && expected[i].ParameterCount == actual[i].ParameterCount,
                $"{what}: row {i}: expected {expected[i].Label}, level {expected[i].Level}, {expected[i].ParameterCount} parameters; " +
                $"got {actual[i].Label}, level {actual[i].Level}, {actual[i].ParameterCount} parameters");
    }

    private sealed record Row(float[] Score, string Label, uint Level, long ParameterCount);
}

