using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// How this process's libtorch computes one convolution layer's 3x3 convolutions (stride 1, padding 1, no bias): the
/// channels padded for oneDNN (<see cref="Padding"/>) with the padded kernels kept for prediction, and the batch cut
/// into pieces under glibc's mmap threshold (<see cref="UnfoldedBytesLimit"/>). Either changes only which kernel
/// computes the convolution: the result is the plain one's to float rounding. A layer calls <see cref="Convolve"/> and
/// tells <see cref="Forget"/> when its weights may change; that is all it knows of these workarounds.
/// </summary>
internal sealed class ConvolutionPath : IDisposable
{
    /// <summary>
    /// Without oneDNN, libtorch unfolds a whole batch into one buffer (rows x inputs·9 x pixels floats) before its
    /// matrix product. glibc maps a buffer above its largest mmap threshold (32 MiB) fresh on every call and every
    /// page faults in again: at the benchmark CNN's level 3 (48 -> 96 channels at 14 x 14, 256 rows: an 87 MB buffer)
    /// that was most of the time. The batch then runs in pieces whose buffer stays below this.
    /// </summary>
    public const long LibTorchUnfoldLimit = 30L << 20;

    private static readonly long[] Stride = { 1, 1 };
    private static readonly long[] Padding2d = { 1, 1 };

    private readonly int _inputChannels, _outputChannels;
    private ChannelPadding _padding = ChannelPadding.ForProcess;

    // Padded copies of weight blocks for prediction, by block: built at the first prediction of a (task, level) and
    // dropped by Forget, which the layer calls whenever it switches between training and evaluation, since weights
    // change only in training (and when loaded, before the first prediction). Guarded by itself: predictions may run on
    // several threads. Bounded by MaxKeptBytes: a block that would not fit is padded on every call instead, in the
    // caller's dispose scope. Nothing kept is dropped while predicting, so no thread can lose a block it is using.
    private readonly Dictionary<(int FirstInput, int Inputs, int FirstOutput, int Outputs), Tensor> _paddedForPrediction = new();
    private long _keptPaddedBytes;

    /// <param name="inputChannels">The layer's input channels (its whole weight's).</param>
    /// <param name="outputChannels">The layer's output channels.</param>
    public ConvolutionPath(int inputChannels, int outputChannels) => (_inputChannels, _outputChannels) = (inputChannels, outputChannels);

    /// <summary>The channel counts the convolution runs at; by default what this process's libtorch settings need.</summary>
    public ChannelPadding Padding
    {
        get => _padding;
        set
        {
            Forget();
            _padding = value;
        }
    }

    /// <summary>The largest unfolded input libtorch's own convolution may build in one call (see <see cref="LibTorchUnfoldLimit"/>).</summary>
    public long UnfoldedBytesLimit { get; set; } = TorchNative.OneDnnEnabled ? long.MaxValue : LibTorchUnfoldLimit;

    /// <summary>
    /// The most bytes of padded kernels kept for prediction: twice the layer's whole weight, padded (the top levels of
    /// two tasks, or every level of one). A model serving many (task, levels) would otherwise keep a padded copy of every
    /// level's block for as long as it lives.
    /// </summary>
    /// <param name="elementSize">Bytes of one weight.</param>
    public long MaxKeptBytes(long elementSize) =>
        2L * Padding.Outputs(_outputChannels) * Padding.Inputs(_inputChannels) * 3 * 3 * elementSize;

    /// <summary>The bytes of padded kernels kept for prediction now.</summary>
    public long KeptBytes
    {
        get
        {
            lock (_paddedForPrediction)
                return _keptPaddedBytes;
        }
    }

    /// <summary>The convolution of <paramref name="input"/> (its channels are the kernels' inputs) with <paramref name="kernels"/>.</summary>
    /// <param name="input">Rows x the block's input channels x height x width.</param>
    /// <param name="kernels">The block of the layer's weight that the active channels read (outputs x inputs x 3 x 3).</param>
    /// <param name="firstChannels">
    /// Where the block starts in the weight (first input, first output channel) when its padded copy may be kept until
    /// <see cref="Forget"/>: in evaluation without gradients. Null in training or with gradients, when the copy must
    /// follow the weights (and carry their gradients).
    /// </param>
    public Tensor Convolve(Tensor input, Tensor kernels, (int Input, int Output)? firstChannels)
    {
        int inputs = (int)kernels.shape[1], outputs = (int)kernels.shape[0];
        long inputsRun = Padding.Inputs(inputs), outputsRun = Padding.Outputs(outputs);
        if (inputsRun == inputs && outputsRun == outputs)
            return InPieces(input, kernels);
        // Zero kernels for the added input and output channels: the added outputs are zero and narrowed away, the
        // added inputs (zero as well) contribute nothing. In training both pads are differentiable, so gradients
        // reach the block.
        if (inputsRun != inputs)
            input = nn.functional.pad(input, new long[] { 0, 0, 0, 0, 0, inputsRun - inputs });
        var padded = firstChannels is (int firstInput, int firstOutput)
            ? PaddedForPrediction(kernels, (firstInput, inputs, firstOutput, outputs), inputsRun, outputsRun)
            : Padded(kernels, inputsRun, outputsRun);
        return InPieces(input, padded).narrow(1, 0, outputs);
    }

    /// <summary>Drops the padded kernels kept for prediction: the weights may change.</summary>
    public void Forget()
    {
        lock (_paddedForPrediction)
        {
            foreach (var kernels in _paddedForPrediction.Values)
                kernels.Dispose();
            _paddedForPrediction.Clear();
            _keptPaddedBytes = 0;
        }
    }

    /// <summary>Drops the padded kernels kept for prediction.</summary>
    public void Dispose() => Forget();

    private Tensor InPieces(Tensor input, Tensor kernels)
    {
        long rowBytes = input.shape[1] * kernels.shape[2] * kernels.shape[3] * input.shape[2] * input.shape[3] * input.element_size();
        long rows = Math.Max(1, UnfoldedBytesLimit / rowBytes);
        if (input.shape[0] <= rows)
            return nn.functional.conv2d(input, kernels, null, Stride, Padding2d);
        return cat(input.split(rows).Select(part => nn.functional.conv2d(part, kernels, null, Stride, Padding2d)).ToArray(), 0);
    }

    private static Tensor Padded(Tensor block, long inputs, long outputs) =>
        nn.functional.pad(block, new long[] { 0, 0, 0, 0, 0, inputs - block.shape[1], 0, outputs - block.shape[0] });

    private Tensor PaddedForPrediction(Tensor block, (int, int, int, int) key, long inputsRun, long outputsRun)
    {
        lock (_paddedForPrediction)
        {
            if (_paddedForPrediction.TryGetValue(key, out var kept))
                return kept;
            var kernels = Padded(block, inputsRun, outputsRun);
            long bytes = kernels.numel() * kernels.element_size();
            if (_keptPaddedBytes + bytes <= MaxKeptBytes(block.element_size()))
            {
                _paddedForPrediction[key] = kernels.DetachFromDisposeScope();
                _keptPaddedBytes += bytes;
            }
            return kernels;
        }
    }
}
