using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;

namespace Microsoft.ML.Dvn.Tests.Training;

[TestClass]
public sealed class ShuffleBufferTests
{
    private static List<long> Drain(long rows, int capacity, int seed)
    {
        var source = new CountingTaskRows(rows);
        using var buffer = new ShuffleBuffer(source.Open(1), new long[capacity], new float[capacity * CountingTaskRows.Width], CountingTaskRows.Width, new Random(seed));
        var ids = new List<long>();
        var features = new float[CountingTaskRows.Width];
        while (buffer.Next(features, out long label))
        {
            Assert.AreEqual((long)features[0] % 2, label, "a row's label was separated from its features");
            ids.Add((long)features[0]);
            Assert.IsTrue(source.RowsRead - ids.Count <= capacity, $"{source.RowsRead - ids.Count} rows held, capacity {capacity}");
        }
        return ids;
    }

    [TestMethod]
    public void EveryRowComesOutExactlyOnceShuffled()
    {
        var ids = Drain(rows: 1000, capacity: 64, seed: 1);

        CollectionAssert.AreEqual(Enumerable.Range(0, 1000).Select(i => (long)i).ToArray(), ids.Order().ToArray());
        Assert.IsTrue(ids.Where((id, i) => id != i).Count() > 900, "the rows came out nearly in their input order");
    }

    [TestMethod]
    public void ARowComesOutAtMostCapacityMinusOnePlacesBeforeWhereItWasRead()
    {
        var ids = Drain(rows: 1000, capacity: 64, seed: 2);

        Assert.IsTrue(ids.Select((id, position) => id - position).Max() <= 63);
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameOrderAndAnotherSeedAnother()
    {
        CollectionAssert.AreEqual(Drain(500, 32, seed: 3), Drain(500, 32, seed: 3));
        CollectionAssert.AreNotEqual(Drain(500, 32, seed: 3), Drain(500, 32, seed: 4));
    }

    [TestMethod]
    public void ACapacityAboveTheRowCountShufflesEveryRow()
    {
        var ids = Drain(rows: 10, capacity: 100, seed: 5);

        CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), ids);
    }
}
