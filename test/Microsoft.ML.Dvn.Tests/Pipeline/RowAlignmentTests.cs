using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// Transform reads the input with two cursors (passed-through columns, and the features of a batch ahead): an input
/// that gives them different rows must fail naming the row, never pair one row's columns with another row's prediction.
/// </summary>
[TestClass]
public sealed class RowAlignmentTests
{
    private const int BatchSize = 7;
    private const int RowsPerTask = 10;

    private static MLContext _ml = null!;
    private static DvnTransformer _dvn = null!;
    private static IDataView _input = null!;

    [ClassInitialize]
    public static void TrainOnce(TestContext _)
    {
        _ml = new MLContext(seed: 1);
        var options = MlNetTasks.Options(epochs: 2);
        options.PredictionBatchSize = BatchSize;
        var model = MlNetTasks.Pipeline(_ml, options).Fit(_ml.Data.LoadFromEnumerable(MlNetTasks.Rows(30, seed: 1)));
        _dvn = MlNetTasks.DvnOf(model);
        // The rows as the DVN sees them: keyed and normalized, cached so that they repeat exactly.
        IDataView data = _ml.Data.LoadFromEnumerable(MlNetTasks.Rows(RowsPerTask, seed: 2));
        foreach (var transformer in ((IEnumerable<ITransformer>)model).TakeWhile(t => t is not DvnTransformer))
            data = transformer.Transform(data);
        _input = _ml.Data.Cache(data);
    }

    [TestMethod]
    public void AnInputThatRepeatsIsPairedRowByRowAcrossBatches()
    {
        var expected = Read(_dvn.Transform(_input));
        var actual = Read(_dvn.Transform(new NonRepeatingDataView(_input, (_, _) => true)));

        Assert.AreEqual(3 * RowsPerTask, actual.Count);
        CollectionAssert.AreEqual(expected.Select(r => r.Task).ToArray(), actual.Select(r => r.Task).ToArray());
        CollectionAssert.AreEqual(expected.Select(r => r.Predicted).ToArray(), actual.Select(r => r.Predicted).ToArray());
    }

    [TestMethod]
    public void CursorsThatTakeTurnsAtAQueueFailAtTheFirstRowNamingIt()
    {
        // Like two readers of one queue: the first cursor gets the even rows, the second the odd ones; as many each.
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Read(_dvn.Transform(new NonRepeatingDataView(_input, (k, r) => r % 2 == k % 2))));

        StringAssert.Contains(error.Message, "two cursors different rows: at row 0 ");
        StringAssert.Contains(error.Message, "the same row ids");
    }

    [TestMethod]
    public void CursorsThatDivergeInALaterBatchFailAtThatRow()
    {
        // Both cursors read row 0..9, then the first skips source row 10: they part at row 10 (the second batch).
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Read(_dvn.Transform(new NonRepeatingDataView(_input, (k, r) => k != 0 || r != 10))));

        StringAssert.Contains(error.Message, "at row 10 ");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    public void ACursorWithOneRowMoreThanTheOtherFailsAtTheEnd(int shorter)
    {
        int last = 3 * RowsPerTask - 1;
        var view = new NonRepeatingDataView(_input, (k, r) => k != shorter || r != last);

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Read(_dvn.Transform(view)));

        StringAssert.Contains(error.Message, "two cursors different rows");
        StringAssert.Contains(error.Message, $"{last} rows");
    }

    private static List<(uint Task, uint Predicted)> Read(IDataView scored)
    {
        var rows = new List<(uint, uint)>();
        using var cursor = scored.GetRowCursor(scored.Schema);
        var task = cursor.GetGetter<uint>(scored.Schema["Task"]);
        var predicted = cursor.GetGetter<uint>(scored.Schema["PredictedLabel"]);
        uint t = 0, p = 0;
        while (cursor.MoveNext())
        {
            task(ref t);
            predicted(ref p);
            rows.Add((t, p));
        }
        return rows;
    }
}
