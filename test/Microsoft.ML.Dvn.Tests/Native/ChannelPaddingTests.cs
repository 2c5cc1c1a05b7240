using Microsoft.ML.Dvn.Native;

namespace Microsoft.ML.Dvn.Tests.Native;

[TestClass]
public sealed class ChannelPaddingTests
{
    [TestMethod]
    [DataRow(1, 16)]
    [DataRow(11, 16)]
    [DataRow(16, 16)]
    [DataRow(21, 32)]
    [DataRow(43, 48)]
    [DataRow(96, 96)]
    public void OutputChannelsAreRoundedUpToAMultipleOf16(int channels, int expected) =>
        Assert.AreEqual(expected, new ChannelPadding(16).Outputs(channels));

    [TestMethod]
    [DataRow(1, 1)]
    [DataRow(3, 3)]
    [DataRow(15, 15)]
    [DataRow(16, 16)]
    [DataRow(17, 32)]
    [DataRow(40, 48)]
    public void InputChannelsBelow16StayAndLargerCountsAreRoundedUp(int channels, int expected) =>
        Assert.AreEqual(expected, new ChannelPadding(16).Inputs(channels));

    [TestMethod]
    public void WithoutPaddingEveryCountStays()
    {
        foreach (int channels in new[] { 1, 11, 21, 43 })
        {
            Assert.AreEqual(channels, ChannelPadding.None.Inputs(channels));
            Assert.AreEqual(channels, ChannelPadding.None.Outputs(channels));
        }
    }

    [TestMethod]
    public void TheProcessPadsExactlyWhenOneDnnIsOn()
    {
        DvnRuntime.Initialize();
        Assert.AreEqual(TorchNative.OneDnnEnabled ? ChannelPadding.OneDnnBlock : 1, ChannelPadding.ForProcess.Multiple);
    }
}
