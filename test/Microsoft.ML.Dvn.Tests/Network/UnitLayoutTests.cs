using Microsoft.ML.Dvn.Network;

namespace Microsoft.ML.Dvn.Tests.Network;

[TestClass]
public sealed class UnitLayoutTests
{
    [TestMethod]
    public void EvenWidthIsCutIntoEqualContiguousGroups()
    {
        var layout = new UnitLayout(48, 3);
        Assert.AreEqual(new ChannelSlice(0, 16), layout.Slice(new UnitRange(1, 1)));
        Assert.AreEqual(new ChannelSlice(16, 32), layout.Slice(new UnitRange(2, 3)));
        Assert.AreEqual(new ChannelSlice(0, 48), layout.Slice(new UnitRange(1, 3)));
    }

    [TestMethod]
    public void UnevenWidthGivesTheFirstUnitsOneChannelMore()
    {
        var layout = new UnitLayout(10, 3);
        CollectionAssert.AreEqual(new[] { 4, 3, 3 }, new[] { layout.Size(1), layout.Size(2), layout.Size(3) });
        Assert.AreEqual(new ChannelSlice(4, 6), layout.Slice(new UnitRange(2, 3)));
    }

    [TestMethod]
    public void WidthNarrowerThanTheUnitCountIsRejected()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new UnitLayout(2, 3));
        StringAssert.Contains(error.Message, "width 2 cannot be cut into 3 units");
    }
}
