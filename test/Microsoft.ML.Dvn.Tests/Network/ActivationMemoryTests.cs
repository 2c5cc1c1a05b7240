using Microsoft.ML.Dvn.Network;

namespace Microsoft.ML.Dvn.Tests.Network;

[TestClass]
public sealed class ActivationMemoryTests
{
    [TestMethod]
    public void CnnActivationsOfOneRowAreCountedLayerByLayerFromTheActiveWidths()
    {
        // Cnn 8 x 8 x 1, convolutions 6 and 12, one hidden layer of 9, three units: 2, 4 and 3 channels a unit.
        var architecture = DvnArchitecture.Cnn(8, 8, 1, new[] { 6, 12 }, new[] { 9 });
        int[] classes = { 3, 2 };
        using var network = new DvnNetwork(architecture, 64, classes, new UnitAllocation(2, 3, 3), seed: 1);
        for (int t = 1; t <= 2; t++)
            for (int j = 1; j <= 3; j++)
            {
                int units = network.Allocation.Units(t, j).Count;
                long c1 = 2 * units, c2 = 4 * units, h = 3 * units;
                // features; conv, norm, relu at 8 x 8 and pool to 4 x 4; the same at 4 x 4 and pool to 2 x 2; fc, norm, relu; logits, softmax.
                long expected = 64 + (3 * c1 * 64 + c1 * 16) + (3 * c2 * 16 + c2 * 4) + 3 * h + 2 * classes[t - 1];
                Assert.AreEqual(expected, network.ActivationValuesPerRow(t, j), $"task {t}, level {j}");
            }
        Assert.AreEqual(64 + 416 + 208 + 9 + 6, network.ActivationValuesPerRow(1, 1), "task 1, level 1 worked out by hand");
    }

    [TestMethod]
    public void MlpActivationsOfOneRowAreTheFeaturesThreeTensorsALayerAndTwoForTheHead()
    {
        using var network = new DvnNetwork(DvnArchitecture.Mlp(12, 6), 7, new[] { 5 }, new UnitAllocation(1, 3, 3), seed: 1);
        Assert.AreEqual(7 + 3 * 4 + 3 * 2 + 2 * 5, network.ActivationValuesPerRow(1, 1));
        Assert.AreEqual(7 + 3 * 12 + 3 * 6 + 2 * 5, network.ActivationValuesPerRow(1, 3));
    }
}
