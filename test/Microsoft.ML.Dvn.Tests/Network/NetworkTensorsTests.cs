using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Dvn.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Network;

/// <summary>
/// The network's tensors as other code sees them: their names and shapes (the model file stores them by name, so the
/// list is a file-format contract, written out here by hand), their initial values (PyTorch's fan-in rule: uniform in
/// plus or minus 1 / sqrt(fan-in), normalizations at scale 1 and shift 0), the views <see cref="DvnNetwork.Tensors"/>
/// gives the ONNX writer, and kernels kept for prediction never outliving a weight change.
/// </summary>
[TestClass]
public sealed class NetworkTensorsTests
{
    [TestMethod]
    public void EveryTensorIsRegisteredUnderItsFileFormatNameWithItsShape()
    {
        // CNN 4 x 4 x 2, one convolution of 3 channels, one hidden layer of 5; one task of 2 classes, one unit, one level.
        using var network = new DvnNetwork(DvnArchitecture.Cnn(4, 4, 2, new[] { 3 }, new[] { 5 }), 32, new[] { 2 }, new UnitAllocation(1, 1, 1), seed: 1);
        var expected = new[]
        {
            "convolutions.0.weight [3, 2, 3, 3]", "fullyConnected.0.weight [5, 12]",
            "levels.t1l1.norms.0.weight [3]", "levels.t1l1.norms.0.bias [3]", "levels.t1l1.norms.1.weight [5]", "levels.t1l1.norms.1.bias [5]",
            "levels.t1l1.head.weight [2, 5]", "levels.t1l1.head.bias [2]",
            "levels.t1l1.norms.0.running_mean [3]", "levels.t1l1.norms.0.running_var [3]",
            "levels.t1l1.norms.1.running_mean [5]", "levels.t1l1.norms.1.running_var [5]",
        };
        var actual = network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(network.named_buffers())
            .Select(p => $"{p.Item1} [{string.Join(", ", p.Item2.shape)}]").ToArray();
        CollectionAssert.AreEquivalent(expected, actual, string.Join("; ", actual));
        // 54 + 60 + 2 x (3 + 5) + 12 = 142 parameters; 2 x (3 + 5) = 16 statistics.
        Assert.AreEqual(142 + 16, network.StoredParameterCount);
    }

    [TestMethod]
    public void InitialWeightsAreUniformWithinOneOverTheRootOfTheirFanIn()
    {
        // Fan-in: convolution 2 x 3 x 3 = 18; fully connected 3 x 2 x 2 = 12 (the pooled image); head 40.
        using var network = new DvnNetwork(DvnArchitecture.Cnn(4, 4, 2, new[] { 3 }, new[] { 40 }), 32, new[] { 30 }, new UnitAllocation(1, 1, 1), seed: 2);
        var fanIn = new Dictionary<string, int>
        {
            ["convolutions.0.weight"] = 18, ["fullyConnected.0.weight"] = 12, ["levels.t1l1.head.weight"] = 40, ["levels.t1l1.head.bias"] = 40,
        };
        foreach (var (name, parameter) in network.named_parameters())
        {
            var values = parameter.detach().contiguous().data<float>().ToArray();
            if (name.Contains(".norms.", StringComparison.Ordinal))
            {
                Assert.IsTrue(values.All(v => v == (name.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f)), name);
                continue;
            }
            double bound = 1 / Math.Sqrt(fanIn[name]);
            Assert.IsTrue(values.All(v => Math.Abs(v) <= bound), $"{name}: {values.Max(Math.Abs)} above {bound}");
            // A uniform draw of 30 or more values reaches past half the bound and takes both signs.
            Assert.IsTrue(values.Max(Math.Abs) > bound / 2 && values.Any(v => v > 0) && values.Any(v => v < 0), $"{name}: {string.Join(", ", values.Take(8))}");
        }
    }

    [TestMethod]
    public void TheTensorsOfACnnLevelAreItsBlocksOfTheSharedWeights()
    {
        // Conv 6 and 12 channels on 8 x 8 x 2, hidden 9, three units (2, 4, 3 channels a unit); task 2 of 2, level 2 of 3.
        using var network = new DvnNetwork(DvnArchitecture.Cnn(8, 8, 2, new[] { 6, 12 }, new[] { 9 }), 128, new[] { 3, 4 }, new UnitAllocation(2, 3, 3), seed: 5);
        var units = network.Allocation.Units(2, 2);
        Assert.AreEqual(2, units.Count);
        var tensors = network.Tensors(2, 2);

        // The first convolution reads both image channels into 4; the second 4 into 8; the hidden layer 8 x 2 x 2 into 6.
        CollectionAssert.AreEqual(new long[] { 4, 2, 3, 3 }, tensors.Convolutions[0].shape);
        CollectionAssert.AreEqual(new long[] { 8, 4, 3, 3 }, tensors.Convolutions[1].shape);
        Assert.AreEqual(1, tensors.FullyConnected.Length);
        CollectionAssert.AreEqual(new long[] { 6, 32 }, tensors.FullyConnected[0].shape);
        // Views of the stored weights, at the level's first channels: unit 2 starts at channel 2 of the first convolution.
        var first = network.named_parameters().Single(p => p.name == "convolutions.0.weight").parameter;
        int start = 2 * (units.First - 1);
        Assert.AreEqual(0f, (first.narrow(0, start, 4) - tensors.Convolutions[0]).abs().max().item<float>());
        // The level's own modules: a normalization a hidden layer, and a head of task 2's 4 classes on 6 channels.
        Assert.AreEqual(3, tensors.Norms.Length);
        CollectionAssert.AreEqual(new long[] { 4, 6 }, tensors.Head.Weight.shape);
    }

    [TestMethod]
    public void AConvolutionRunInTrainingModeWithoutGradientsReadsTheCurrentWeights()
    {
        using var scope = NewDisposeScope();
        // Padded to 16 channels, a convolution keeps its padded kernels for prediction (evaluation without gradients);
        // a training-mode pass without gradients (as normalization calibration runs) must not use kept kernels.
        using var convolution = new SlicedConv2d("conv", 3, 5, new Generator(1)) { Path = { Padding = new ChannelPadding(ChannelPadding.OneDnnBlock) } };
        var input = randn(new long[] { 2, 3, 6, 6 }, generator: new Generator(2));
        ChannelSlice inputs = new(0, 3), outputs = new(0, 5);
        using var _ = no_grad();
        convolution.train();
        var before = convolution.Forward(input, inputs, outputs).clone();
        convolution.Weight.mul_(2);
        var after = convolution.Forward(input, inputs, outputs);
        Assert.AreEqual(0f, (after - 2 * before).abs().max().item<float>(), 1e-4f, "the second pass did not read the doubled weights");
    }
}
