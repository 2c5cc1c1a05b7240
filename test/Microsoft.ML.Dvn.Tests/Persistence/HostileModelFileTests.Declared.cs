namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// The declared network's tensor limit and overflow check, with the tensor counts worked out by hand: a network
/// stores one tensor a hidden layer and, for every (task, level), four a hidden layer (normalization) and two (head).
/// </summary>
public sealed partial class HostileModelFileTests
{
    [TestMethod]
    public void TheTensorLimitNamesTheDeclaredCountOrSaysMoreThanTheLimit()
    {
        // 2 tasks x 1,000,000 levels: more levels than the limit alone, so the count is not computed.
        var wide = CraftedModel.Valid with { Levels = 1_000_000, Units = 1_000_000, HiddenLayerSizes = new[] { 1_000_000 } };
        StringAssert.Contains(Rejects(wide).Message, "fields 'architecture.classCounts' (2 tasks), 'architecture.numberOfLevels' (1000000) and the " +
            "1 hidden layers declare more than 262144 tensors; at most 262144 are loaded");
        // 1 task x 262,144 levels, exactly the limit: 1 + 262,144 x (4 + 2) = 1,572,865 tensors.
        var levels = CraftedModel.Valid with { ClassCounts = new[] { 2 }, Levels = 262_144, Units = 262_144, HiddenLayerSizes = new[] { 262_144 } };
        StringAssert.Contains(Rejects(levels).Message, "the 1 hidden layers declare 1572865 tensors; at most 262144 are loaded");
        // 262,144 hidden layers of width 1, one task, one level: 262,144 + 4 x 262,144 + 2 = 1,310,722 tensors.
        var layers = CraftedModel.Valid with { ClassCounts = new[] { 2 }, Levels = 1, Units = 1, HiddenLayerSizes = Enumerable.Repeat(1, 262_144).ToArray() };
        StringAssert.Contains(Rejects(layers).Message, "the 262144 hidden layers declare 1310722 tensors; at most 262144 are loaded");
    }

    [TestMethod]
    public void AConvolutionWhoseWeightCountOverflowsAnInt64IsRefusedAsSuch()
    {
        // 536,870,911 input channels of 2 x 2 pixels into 2^31 - 1 output channels of 3 x 3 kernels: about 1.04e19 weights.
        var huge = CraftedModel.Valid with
        {
            Kind = 1, ImageHeight = 2, ImageWidth = 2, ImageChannels = 536_870_911, InputSize = 2_147_483_644,
            ConvolutionChannels = new[] { int.MaxValue }, HiddenLayerSizes = Array.Empty<int>(), ClassCounts = new[] { 2 }, Units = 1, Levels = 1,
        };
        StringAssert.Contains(Rejects(huge).Message, "the fields of 'architecture' declare a network of more than 9223372036854775807 stored numbers");
    }
}
