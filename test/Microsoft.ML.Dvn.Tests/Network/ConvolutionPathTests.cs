using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Tests.TestData;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Network;

/// <summary>
/// How a convolution runs (channels padded to multiples of 16, the batch cut into pieces, padded kernels kept for
/// prediction) must change only which kernel computes it: outputs and gradients equal the plain convolution's to float
/// rounding, on any CPU and with oneDNN on or off. The plain reference runs in float64, which libtorch computes
/// without oneDNN, so that the reference cannot hit oneDNN's NaN itself.
/// </summary>
[TestClass]
public sealed class ConvolutionPathTests
{
    private static readonly ChannelPadding Padded = new(ChannelPadding.OneDnnBlock);

    [TestMethod]
    [DataRow(1, 21, 0, 1, 0, 21)]     // an image into an odd count
    [DataRow(48, 96, 5, 21, 10, 43)]  // a slice in the middle of both layers
    [DataRow(40, 80, 16, 24, 32, 48)] // 24 -> 48 channels, both starting on a block boundary
    [DataRow(21, 43, 0, 21, 21, 22)]  // the last channels of the output
    [DataRow(32, 32, 0, 16, 16, 16)]  // already multiples of 16: nothing to pad
    public void APaddedSliceGivesTheUnpaddedOutputAndGradients(int inputs, int outputs, int inStart, int inLength, int outStart, int outLength)
    {
        using var scope = NewDisposeScope();
        using var convolution = new SlicedConv2d("conv", inputs, outputs, new Generator(11)) { Path = { Padding = Padded } };

        var weightGradient = AssertSameAsPlainFloat64(convolution, rows: 6, new ChannelSlice(inStart, inLength), new ChannelSlice(outStart, outLength));

        var outside = weightGradient.clone();
        outside.narrow(0, outStart, outLength).narrow(1, inStart, inLength).zero_();
        Assert.AreEqual(0f, outside.abs().max().item<float>(), "the padded convolution moved kernels outside its slice");
    }

    [TestMethod]
    public void ABatchCutIntoPiecesGivesTheWholeBatchsOutputAndGradients()
    {
        using var scope = NewDisposeScope();
        // 21 input channels at 9 x 9 unfold to 21 * 9 * 81 floats a row: a limit of 3 such rows cuts 10 rows into 3+3+3+1.
        using var convolution = new SlicedConv2d("conv", 21, 43, new Generator(11)) { Path = { Padding = Padded, UnfoldedBytesLimit = 3 * 21 * 9 * 81 * 4 } };

        AssertSameAsPlainFloat64(convolution, rows: 10, new ChannelSlice(0, 21), new ChannelSlice(0, 43));
    }

    [TestMethod]
    public void PredictionsWithKeptPaddedKernelsFollowTheWeightsThroughTraining()
    {
        using var scope = NewDisposeScope();
        var architecture = DvnArchitecture.Cnn(12, 12, 1, new[] { 21, 42 }, new[] { 30 });
        using var network = new DvnNetwork(architecture, 144, GeneratedImages.ClassCounts, new UnitAllocation(3, 3, 3), seed: 4);
        foreach (var convolution in network.modules().OfType<SlicedConv2d>())
            convolution.Path.Padding = Padded;
        var features = rand(new long[] { 10, 144 }, generator: new Generator(5));

        // Without gradients in evaluation the padded kernels are kept; with gradients they are padded on every call.
        void AssertKeptKernelsAreCurrent(string when)
        {
            network.eval();
            for (int level = 1; level <= 3; level++)
            {
                Tensor kept;
                using (no_grad())
                    kept = network.Forward(features, 2, level);
                AssertClose(network.Forward(features, 2, level).detach().to(ScalarType.Float64), kept, $"{when}, level {level}");
            }
        }

        AssertKeptKernelsAreCurrent("before training");
        network.train();
        using (no_grad())
            foreach (var convolution in network.modules().OfType<SlicedConv2d>())
                convolution.Weight.mul_(-1.5);
        AssertKeptKernelsAreCurrent("after the weights changed in training");
    }

    [TestMethod]
    public void EveryLevelOfAnOddWidthCnnGivesTheSameLogitsAndGradientsPaddedAndUnpadded()
    {
        // Units of 7 and 14 channels (levels of 7/14/21 and 14/28/42): most slices start inside a block of 16.
        using var scope = NewDisposeScope();
        var architecture = DvnArchitecture.Cnn(12, 12, 1, new[] { 21, 42 }, new[] { 30 });
        DvnNetwork Network(ChannelPadding padding)
        {
            var network = new DvnNetwork(architecture, 144, GeneratedImages.ClassCounts, new UnitAllocation(3, 3, 3), seed: 4);
            foreach (var convolution in network.modules().OfType<SlicedConv2d>())
                convolution.Path.Padding = padding;
            return network;
        }
        using var padded = Network(Padded);
        using var reference = Network(ChannelPadding.None);
        // Module by module: TorchSharp 0.107's Module.to(dtype) fails on the network's ModuleDict ("same key: Item").
        foreach (var module in reference.modules().Where(m => !m.children().Any()))
            module.to(ScalarType.Float64);
        var features = rand(new long[] { 10, 144 }, generator: new Generator(5));
        var labels = tensor(new long[] { 0, 1, 0, 1, 1, 0, 1, 0, 0, 1 });

        (Tensor Logits, Tensor[] Gradients) Run(DvnNetwork network, ScalarType type, int task, int level)
        {
            network.zero_grad(set_to_none: true);
            var logits = network.Forward(features.to(type), task, level);
            nn.functional.cross_entropy(logits, labels).backward();
            return (logits.detach(), network.parameters().Select(p => p.grad ?? zeros(0, dtype: type)).ToArray());
        }

        for (int task = 1; task <= 3; task++)
            for (int level = 1; level <= 3; level++)
            {
                var expected = Run(reference, ScalarType.Float64, task, level);
                var actual = Run(padded, ScalarType.Float32, task, level);
                AssertClose(expected.Logits, actual.Logits, $"task {task} level {level} logits");
                for (int p = 0; p < expected.Gradients.Length; p++)
                    AssertClose(expected.Gradients[p], actual.Gradients[p], $"task {task} level {level} gradient of parameter {p}");
            }
    }

    [TestMethod]
    public void PaddedKernelsKeptForPredictionStayWithinTwiceTheWeightWhileEverySliceStillPredictsExactly()
    {
        // 43 output slices (every length from the first channel) of a 21 -> 43 convolution padded to 32 -> 48: kept
        // whole, their padded blocks would take 43 x 32 x 48 x 9 floats, about 21 times the padded weight.
        using var scope = NewDisposeScope();
        using var convolution = new SlicedConv2d("conv", 21, 43, new Generator(11)) { Path = { Padding = Padded } };
        using var reference = new SlicedConv2d("conv", 21, 43, new Generator(11)) { Path = { Padding = ChannelPadding.None, UnfoldedBytesLimit = long.MaxValue } };
        reference.to(ScalarType.Float64);
        convolution.eval();
        var input = rand(new long[] { 3, 21, 9, 9 }, generator: new Generator(12));
        long limit = 2L * 48 * 32 * 9 * sizeof(float);

        Assert.AreEqual(limit, convolution.MaxKeptPaddedBytes);
        for (int pass = 0; pass < 2; pass++)
            for (int length = 1; length <= 43; length++)
            {
                var outputs = new ChannelSlice(0, length);
                Tensor actual;
                using (no_grad())
                    actual = convolution.Forward(input, new ChannelSlice(0, 21), outputs);
                AssertClose(reference.Forward(input.to(ScalarType.Float64), new ChannelSlice(0, 21), outputs).detach(), actual, $"pass {pass}, {length} outputs");
                Assert.IsTrue(convolution.Path.KeptBytes <= limit, $"{convolution.Path.KeptBytes} bytes kept after {length} outputs");
            }
        Assert.IsTrue(convolution.Path.KeptBytes > 0, "nothing was kept");
    }

    [TestMethod]
    [DataRow(24, 48, 14)] // forward NaN unpadded (AVX-512, oneDNN)
    [DataRow(21, 43, 14)] // forward and input gradient
    [DataRow(32, 17, 14)] // input gradient
    [DataRow(1, 21, 28)]  // input gradient of a first layer
    public void TheDefaultConvolutionStaysFiniteWhenFreedMemoryHoldsNaN(int inputs, int outputs, int side)
    {
        // Whatever a kernel reads without writing it first is NaN here. With oneDNN on an AVX-512 CPU, the unpadded
        // convolution gave NaN at these counts in one call or more of every 8 (measured); padded, never.
        using var convolution = new SlicedConv2d("conv", inputs, outputs, new Generator(3));
        var (inSlice, outSlice) = (new ChannelSlice(0, inputs), new ChannelSlice(0, outputs));
        var generator = new Generator(7);
        for (int call = 0; call < 8; call++)
        {
            using var scope = NewDisposeScope();
            var x = randn(new long[] { 32, inputs, side, side }, generator: generator).requires_grad_();
            var upstream = randn(new long[] { 32, outputs, side, side }, generator: generator);
            FillFreedHeapWithNaN();
            var y = convolution.Forward(x, inSlice, outSlice);
            (y * upstream).sum().backward();
            Assert.IsTrue(y.isfinite().all().item<bool>(), $"call {call}: non-finite output");
            Assert.IsTrue(x.grad!.isfinite().all().item<bool>(), $"call {call}: non-finite input gradient");
            Assert.IsTrue(convolution.Weight.grad!.isfinite().all().item<bool>(), $"call {call}: non-finite weight gradient");
            convolution.zero_grad(set_to_none: true);
        }
    }

    // Pieces of 8 MiB down to 4 KiB filled with NaN and freed together: the next allocations reuse that memory.
    private static void FillFreedHeapWithNaN()
    {
        using var scope = NewDisposeScope();
        for (long floats = 2 * 1024 * 1024; floats >= 1024; floats /= 2)
            for (int i = 0; i < 4; i++)
                full(floats, float.NaN);
    }

    // Runs `convolution` (made from Generator(11)) in float32 and a plain copy in float64 on the same batch of 9 x 9
    // images, and compares the outputs and both gradients; returns the weight gradient of `convolution`.
    private static Tensor AssertSameAsPlainFloat64(SlicedConv2d convolution, int rows, ChannelSlice inputs, ChannelSlice outputs)
    {
        var (inputChannels, outputChannels) = ((int)convolution.Weight.shape[1], (int)convolution.Weight.shape[0]);
        using var reference = new SlicedConv2d("conv", inputChannels, outputChannels, new Generator(11))
        {
            Path = { Padding = ChannelPadding.None, UnfoldedBytesLimit = long.MaxValue },
        };
        reference.to(ScalarType.Float64);
        var generator = new Generator(12);
        var input = rand(new long[] { rows, inputs.Length, 9, 9 }, generator: generator);
        var upstream = randn(new long[] { rows, outputs.Length, 9, 9 }, generator: generator);

        (Tensor Output, Tensor WeightGradient, Tensor InputGradient) Run(SlicedConv2d layer, ScalarType type)
        {
            var x = input.to(type).requires_grad_();
            var y = layer.Forward(x, inputs, outputs);
            (y * upstream.to(type)).sum().backward();
            return (y.detach(), layer.Weight.grad!, x.grad!);
        }

        var expected = Run(reference, ScalarType.Float64);
        var actual = Run(convolution, ScalarType.Float32);
        AssertClose(expected.Output, actual.Output, "output");
        AssertClose(expected.WeightGradient, actual.WeightGradient, "weight gradient");
        AssertClose(expected.InputGradient, actual.InputGradient, "input gradient");
        return actual.WeightGradient;
    }

    // Float rounding: float32 against the float64 reference, relative to the largest value.
    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape, $"{what}: shape");
        if (expected.numel() == 0)
            return;
        double scale = Math.Max(1e-3, expected.abs().max().item<double>());
        double difference = (expected - actual.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.IsTrue(difference <= 1e-5 * scale, $"{what}: differs from the plain float64 convolution by {difference:G3} (largest value {scale:G3})");
    }
}
