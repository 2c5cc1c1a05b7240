using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Dvn.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Network;

/// <summary>
/// <see cref="DvnNetwork.ExtractLevel"/> on the network itself, for CNNs as well as MLPs: the compact copy has the
/// level's widths (worked out by hand from the unit layout), stores exactly what the level reads, and computes what
/// the full network computes at that (task, level), including the level's normalization statistics. And the bytes a
/// row of a level needs at prediction, counted by hand from the documented rule of
/// <see cref="DvnNetwork.ActivationBytesPerRow"/>.
/// </summary>
[TestClass]
public sealed class LevelExtractionTests
{
    [TestMethod]
    [DataRow(1, 1)]
    [DataRow(2, 2)]
    [DataRow(2, 3)]
    public void AnExtractedCnnLevelHasTheLevelsWidthsAndComputesWhatTheFullNetworkComputes(int task, int level)
    {
        // Conv 6 and 12 channels, one hidden layer of 9, three units: 2, 4 and 3 channels a unit.
        var architecture = DvnArchitecture.Cnn(8, 8, 2, new[] { 6, 12 }, new[] { 9 });
        using var network = Trained(new DvnNetwork(architecture, 128, new[] { 3, 4 }, new UnitAllocation(2, 3, 3), seed: 5));
        int units = network.Allocation.Units(task, level).Count;

        using var compact = network.ExtractLevel(task, level);

        Assert.AreEqual(DvnArchitecture.Cnn(8, 8, 2, new[] { 2 * units, 4 * units }, new[] { 3 * units }), compact.Architecture);
        AssertSameLevel(network, compact, task, level, 128);
    }

    [TestMethod]
    public void AnExtractedCnnLevelWithoutFullyConnectedLayersReadsThePooledImage()
    {
        // Conv 4 and 8 channels on 8 x 8: the head reads 8 channels x 2 x 2 pixels; two units of 2 and 4 channels.
        var architecture = DvnArchitecture.Cnn(8, 8, 1, new[] { 4, 8 }, new int[0]);
        using var network = Trained(new DvnNetwork(architecture, 64, new[] { 3 }, new UnitAllocation(1, 2, 2), seed: 6));

        using var compact = network.ExtractLevel(1, 1);

        Assert.AreEqual(DvnArchitecture.Cnn(8, 8, 1, new[] { 2, 4 }, new int[0]), compact.Architecture);
        // Level 1 reads: conv 1 x 2 x 9 = 18, conv 2 x 4 x 9 = 72, norms 4 x (2 + 4) = 24, head 3 x (4 x 4) + 3 = 51.
        Assert.AreEqual(18 + 72 + 24 + 51, compact.StoredParameterCount);
        AssertSameLevel(network, compact, 1, 1, 64);
    }

    [TestMethod]
    public void AnExtractedMlpLevelComputesWhatTheFullNetworkComputes()
    {
        using var network = Trained(new DvnNetwork(DvnArchitecture.Mlp(12, 6), 7, new[] { 5, 2 }, new UnitAllocation(2, 3, 2), seed: 7));

        using var compact = network.ExtractLevel(2, 1);

        // Task 2's home unit is floor(1 x 3 / 2) + 1 = 2; level 1 has ceil(3 / 2) = 2 units: 8 and 4 channels.
        Assert.AreEqual(DvnArchitecture.Mlp(8, 4), compact.Architecture);
        AssertSameLevel(network, compact, 2, 1, 7);
    }

    [TestMethod]
    public void TheBytesOfARowAreTheFeaturesEveryLayersTensorsAndTheHeadsFourBytesEach()
    {
        // Cnn 8 x 8 x 1, convolutions 6 and 12, hidden 9, three units; task 1, level 1 is unit 1: 2, 4 and 3 channels.
        var architecture = DvnArchitecture.Cnn(8, 8, 1, new[] { 6, 12 }, new[] { 9 });
        using var network = new DvnNetwork(architecture, 64, new[] { 3, 2 }, new UnitAllocation(2, 3, 3), seed: 1);
        SetPadding(network, ChannelPadding.None);
        // Unpadded: features 64; conv 1 at 8 x 8: output twice, norm, relu = 4 x 2 x 64, pooled with int64 indices 3 x 2 x 16;
        // conv 2 at 4 x 4: 4 x 4 x 16 + 3 x 4 x 4; fc: 3 x 3; head: 2 x 3.
        Assert.AreEqual(4L * (64 + 512 + 96 + 256 + 48 + 9 + 6), network.ActivationBytesPerRow(1, 1));
        // Padded to 16 channels: the convolutions run at 16 outputs (their two copies), inputs below 16 are not padded.
        SetPadding(network, new ChannelPadding(ChannelPadding.OneDnnBlock));
        Assert.AreEqual(4L * (64 + (2 * 16 * 64 + 2 * 2 * 64 + 3 * 2 * 16) + (2 * 16 * 16 + 2 * 4 * 16 + 3 * 4 * 4) + 9 + 6),
            network.ActivationBytesPerRow(1, 1));

        // 20 and 18 channels on 4 x 4, one unit, no hidden layer, 2 classes: the second convolution's 20 inputs run at 32,
        // a padded copy of its input (32 x 4 values).
        using var wide = new DvnNetwork(DvnArchitecture.Cnn(4, 4, 1, new[] { 20, 18 }, new int[0]), 16, new[] { 2 }, new UnitAllocation(1, 1, 1), seed: 1);
        SetPadding(wide, new ChannelPadding(ChannelPadding.OneDnnBlock));
        Assert.AreEqual(4L * (16 + (2 * 32 * 16 + 2 * 20 * 16 + 3 * 20 * 4) + (32 * 4 + 2 * 32 * 4 + 2 * 18 * 4 + 3 * 18 * 1) + 2 * 2),
            wide.ActivationBytesPerRow(1, 1));

        // An MLP: features 7, three tensors of 4 and of 2 channels, two of 5 classes.
        using var mlp = new DvnNetwork(DvnArchitecture.Mlp(12, 6), 7, new[] { 5 }, new UnitAllocation(1, 3, 3), seed: 1);
        Assert.AreEqual(4L * (7 + 3 * 4 + 3 * 2 + 2 * 5), mlp.ActivationBytesPerRow(1, 1));
        Assert.AreEqual(4L * (7 + 3 * 12 + 3 * 6 + 2 * 5), mlp.ActivationBytesPerRow(1, 3));
    }

    // Every weight drawn at random and the normalizations' statistics moved by training-mode passes, so that a copy that
    // missed any of them would compute something else.
    private static DvnNetwork Trained(DvnNetwork network)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(21);
        using (no_grad())
        {
            foreach (var parameter in network.parameters())
                parameter.copy_(randn(parameter.shape, generator: generator) * 0.5);
            network.train();
            for (int t = 1; t <= network.NumberOfTasks; t++)
                for (int j = 1; j <= network.NumberOfLevels; j++)
                    network.Forward(randn(new long[] { 16, network.InputSize }, generator: generator) * 2 + 1, t, j);
        }
        network.eval();
        return network;
    }

    private static void AssertSameLevel(DvnNetwork network, DvnNetwork compact, int task, int level, int inputs)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        compact.eval();
        Assert.AreEqual(network.ParameterCount(task, level), compact.StoredParameterCount, "the compact copy stores what the level reads");
        var rows = randn(new long[] { 5, inputs }, generator: new Generator(8));
        var expected = network.Forward(rows, task, level);
        var actual = compact.Forward(rows, 1, 1);
        Assert.AreEqual(0f, (expected - actual).abs().max().item<float>(), 1e-4f, $"task {task}, level {level}");
        Assert.IsTrue(expected.abs().max().item<float>() > 0.01f, "the outputs are not all zero");
    }

    private static void SetPadding(DvnNetwork network, ChannelPadding padding)
    {
        foreach (var convolution in network.modules().OfType<SlicedConv2d>())
            convolution.Path.Padding = padding;
    }
}
