using Microsoft.ML.Dvn.Network;

namespace Microsoft.ML.Dvn.Tests.Network;

[TestClass]
public sealed class ParameterCountTests
{
    // The test's own arithmetic: active width of a layer of width c cut into K units, for units first..last.
    private static long Active(int width, int units, UnitRange range) =>
        Enumerable.Range(range.First, range.Count).Sum(u => width / units + (u <= width % units ? 1 : 0));

    [TestMethod]
    public void MlpLevelCountsEqualAnIndependentCountWithUnevenUnits()
    {
        int[] classes = { 3, 2, 4 };
        using var network = new DvnNetwork(DvnArchitecture.Mlp(10, 8), 7, classes, new UnitAllocation(3, 3, 3), seed: 1);
        for (int t = 1; t <= 3; t++)
            for (int j = 1; j <= 3; j++)
            {
                var units = network.Allocation.Units(t, j);
                long h1 = Active(10, 3, units), h2 = Active(8, 3, units);
                long expected = 7 * h1 + 4 * h1 + h1 * h2 + 4 * h2 + (h2 + 1) * classes[t - 1];
                Assert.AreEqual(expected, network.ParameterCount(t, j), $"task {t}, level {j}");
            }
    }

    [TestMethod]
    public void CnnLevelCountsEqualAnIndependentCount()
    {
        int[] classes = { 10, 4 };
        var architecture = DvnArchitecture.Cnn(12, 12, 2, new[] { 7, 14 }, new[] { 9 });
        using var network = new DvnNetwork(architecture, 2 * 12 * 12, classes, new UnitAllocation(2, 3, 3), seed: 1);
        for (int t = 1; t <= 2; t++)
            for (int j = 1; j <= 3; j++)
            {
                var units = network.Allocation.Units(t, j);
                long c1 = Active(7, 3, units), c2 = Active(14, 3, units), h = Active(9, 3, units);
                long expected = 2 * c1 * 9 + 4 * c1 + c1 * c2 * 9 + 4 * c2 + c2 * 3 * 3 * h + 4 * h + (h + 1) * classes[t - 1];
                Assert.AreEqual(expected, network.ParameterCount(t, j), $"task {t}, level {j}");
            }
    }

    [TestMethod]
    public void StoredCountIsTheSharedWeightsPlusEveryLevelsOwnModules()
    {
        int[] classes = { 3, 2, 4 };
        using var network = new DvnNetwork(DvnArchitecture.Mlp(10, 8), 7, classes, new UnitAllocation(3, 3, 3), seed: 1);
        long shared = 7 * 10 + 10 * 8;
        long own = 0;
        for (int t = 1; t <= 3; t++)
            for (int j = 1; j <= 3; j++)
            {
                var units = network.Allocation.Units(t, j);
                long h1 = Active(10, 3, units), h2 = Active(8, 3, units);
                own += 4 * h1 + 4 * h2 + (h2 + 1) * classes[t - 1];
            }
        Assert.AreEqual(shared + own, network.StoredParameterCount);
    }

    [TestMethod]
    public void OneTaskOneLevelNetworkReadsEverythingItStores()
    {
        using var network = new DvnNetwork(DvnArchitecture.Cnn(8, 8, 1, new[] { 5 }, new[] { 6 }), 64, new[] { 3 },
            new UnitAllocation(1, 1, 1), seed: 1);
        Assert.AreEqual(network.StoredParameterCount, network.ParameterCount(1, 1));
    }
}
