using Microsoft.ML.Dvn.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// A 3x3 convolution (stride 1, padding 1) whose forward pass reads only the kernels from the active input channels
/// to the active output channels: a zero-copy view of the full weight. No bias: batch normalization follows.
/// How libtorch computes it is this process's business (<see cref="Padding"/>, <see cref="UnfoldedBytesLimit"/>);
/// the result is the same to float rounding.
/// </summary>
internal sealed class SlicedConv2d : nn.Module
{
    public const int KernelSize = 3;

    /// <summary>
    /// Without oneDNN, libtorch unfolds a whole batch into one buffer (rows x inputs·9 x pixels floats) before its
    /// matrix product. glibc maps a buffer above its largest mmap threshold (32 MiB) fresh on every call and every
    /// page faults in again: at the benchmark CNN's level 3 (48 -> 96 channels at 14 x 14, 256 rows: an 87 MB buffer)
    /// that was most of the time. The batch then runs in pieces whose buffer stays below this.
    /// </summary>
    public const long LibTorchUnfoldLimit = 30L << 20;

    private static readonly long[] Stride = { 1, 1 };
    private static readonly long[] Padding2d = { 1, 1 };

    private readonly Parameter weight;
    private ChannelPadding _padding = ChannelPadding.ForProcess;

    // Padded copies of weight blocks for prediction, by slice pair: built at the first prediction of a (task, level)
    // and dropped whenever the module switches between training and evaluation, since weights change only in training
    // (and when loaded, before the first prediction). Guarded by itself: predictions may run on several threads.
    // Bounded by MaxKeptPaddedBytes: a block that would not fit is padded on every call instead, in the caller's dispose
    // scope. Nothing kept is dropped while predicting, so no thread can lose a block it is using.
    private readonly Dictionary<(ChannelSlice Inputs, ChannelSlice Outputs), Tensor> _paddedForPrediction = new();
    private long _keptPaddedBytes;

    public SlicedConv2d(string name, int inputChannels, int outputChannels, Generator generator) : base(name)
    {
        weight = new Parameter(empty(outputChannels, inputChannels, KernelSize, KernelSize));
        WeightInitialization.FanInUniform(weight, inputChannels * KernelSize * KernelSize, generator);
        RegisterComponents();
    }

    public Parameter Weight => weight;

    /// <summary>
    /// The most bytes of padded kernels kept for prediction: twice this convolution's whole weight, padded (the top
    /// levels of two tasks, or every level of one). A model serving many (task, levels) would otherwise keep a padded
    /// copy of every level's block for as long as it lives.
    /// </summary>
    public long MaxKeptPaddedBytes =>
        2L * Padding.Outputs((int)weight.shape[0]) * Padding.Inputs((int)weight.shape[1]) * KernelSize * KernelSize * weight.element_size();

    /// <summary>The bytes of padded kernels kept for prediction now.</summary>
    public long KeptPaddedBytes
    {
        get
        {
            lock (_paddedForPrediction)
                return _keptPaddedBytes;
        }
    }

    /// <summary>The channel counts the convolution runs at; by default what this process's libtorch settings need.</summary>
    public ChannelPadding Padding
    {
        get => _padding;
        set
        {
            DropPaddedForPrediction();
            _padding = value;
        }
    }

    /// <summary>The largest unfolded input libtorch's own convolution may build in one call (see <see cref="LibTorchUnfoldLimit"/>).</summary>
    public long UnfoldedBytesLimit { get; set; } = TorchNative.OneDnnEnabled ? long.MaxValue : LibTorchUnfoldLimit;

    public Tensor Forward(Tensor input, ChannelSlice inputs, ChannelSlice outputs)
    {
        long inputsRun = Padding.Inputs(inputs.Length), outputsRun = Padding.Outputs(outputs.Length);
        if (inputsRun == inputs.Length && outputsRun == outputs.Length)
            return Convolve(input, Block(inputs, outputs));
        // Zero kernels for the added input and output channels: the added outputs are zero and narrowed away, the
        // added inputs (zero as well) contribute nothing. In training both pads are differentiable, so gradients
        // reach the block.
        if (inputsRun != inputs.Length)
            input = nn.functional.pad(input, new long[] { 0, 0, 0, 0, 0, inputsRun - inputs.Length });
        var kernels = training || is_grad_enabled()
            ? Padded(Block(inputs, outputs), inputsRun, outputsRun)
            : PaddedForPrediction(inputs, outputs, inputsRun, outputsRun);
        return Convolve(input, kernels).narrow(1, 0, outputs.Length);
    }

    /// <summary>The kernels that the slice pair reads (a view, not a copy).</summary>
    public Tensor Block(ChannelSlice inputs, ChannelSlice outputs) =>
        weight.narrow(0, outputs.Start, outputs.Length).narrow(1, inputs.Start, inputs.Length);

    public static long ParameterCount(ChannelSlice inputs, ChannelSlice outputs) =>
        (long)inputs.Length * outputs.Length * KernelSize * KernelSize;

    public override void train(bool on = true)
    {
        DropPaddedForPrediction();
        base.train(on);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            DropPaddedForPrediction();
        base.Dispose(disposing);
    }

    private Tensor Convolve(Tensor input, Tensor kernels)
    {
        long rowBytes = input.shape[1] * KernelSize * KernelSize * input.shape[2] * input.shape[3] * input.element_size();
        long rows = Math.Max(1, UnfoldedBytesLimit / rowBytes);
        if (input.shape[0] <= rows)
            return nn.functional.conv2d(input, kernels, null, Stride, Padding2d);
        return cat(input.split(rows).Select(part => nn.functional.conv2d(part, kernels, null, Stride, Padding2d)).ToArray(), 0);
    }

    private static Tensor Padded(Tensor block, long inputs, long outputs) =>
        nn.functional.pad(block, new long[] { 0, 0, 0, 0, 0, inputs - block.shape[1], 0, outputs - block.shape[0] });

    private Tensor PaddedForPrediction(ChannelSlice inputs, ChannelSlice outputs, long inputsRun, long outputsRun)
    {
        lock (_paddedForPrediction)
        {
            if (_paddedForPrediction.TryGetValue((inputs, outputs), out var kept))
                return kept;
            var kernels = Padded(Block(inputs, outputs), inputsRun, outputsRun);
            long bytes = kernels.numel() * kernels.element_size();
            if (_keptPaddedBytes + bytes <= MaxKeptPaddedBytes)
            {
                _paddedForPrediction[(inputs, outputs)] = kernels.DetachFromDisposeScope();
                _keptPaddedBytes += bytes;
            }
            return kernels;
        }
    }

    private void DropPaddedForPrediction()
    {
        lock (_paddedForPrediction)
        {
            foreach (var kernels in _paddedForPrediction.Values)
                kernels.Dispose();
            _paddedForPrediction.Clear();
            _keptPaddedBytes = 0;
        }
    }
}
