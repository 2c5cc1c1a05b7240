namespace Microsoft.ML.Dvn;

/// <summary>
/// The backbone of a deep virtual network: the full widths of its hidden layers. Every hidden layer is cut into
/// the same number of units; a level of a task uses the same units in every layer.
/// </summary>
/// <example>
/// <code>
/// var mlp = DvnArchitecture.Mlp(240, 240);
/// var cnn = DvnArchitecture.Cnn(height: 28, width: 28, channels: 1,
///     convolutionChannels: new[] { 48, 96 }, hiddenLayerSizes: new[] { 96 });
/// </code>
/// </example>
public sealed class DvnArchitecture : IEquatable<DvnArchitecture>
{
    private readonly int[] _convolutionChannels;
    private readonly int[] _hiddenLayerSizes;

    private DvnArchitecture(DvnArchitectureKind kind, int imageHeight, int imageWidth, int imageChannels,
        int[] convolutionChannels, int[] hiddenLayerSizes)
    {
        Kind = kind;
        ImageHeight = imageHeight;
        ImageWidth = imageWidth;
        ImageChannels = imageChannels;
        _convolutionChannels = convolutionChannels;
        _hiddenLayerSizes = hiddenLayerSizes;
    }

    /// <summary>Whether this is a multi-layer perceptron or a convolutional network.</summary>
    public DvnArchitectureKind Kind { get; }

    /// <summary>Image height in pixels (CNN only; 0 for an MLP).</summary>
    public int ImageHeight { get; }

    /// <summary>Image width in pixels (CNN only; 0 for an MLP).</summary>
    public int ImageWidth { get; }

    /// <summary>Image channels (CNN only; 0 for an MLP).</summary>
    public int ImageChannels { get; }

    /// <summary>Output channels of each 3x3 convolution (CNN only; empty for an MLP).</summary>
    public IReadOnlyList<int> ConvolutionChannels => _convolutionChannels;

    /// <summary>Widths of the fully connected hidden layers.</summary>
    public IReadOnlyList<int> HiddenLayerSizes => _hiddenLayerSizes;

    /// <summary>
    /// A multi-layer perceptron for plain feature vectors: fully connected hidden layers of the given widths, each
    /// followed by batch normalization and ReLU.
    /// </summary>
    /// <param name="hiddenLayerSizes">Full width of every hidden layer; at least one layer.</param>
    public static DvnArchitecture Mlp(params int[] hiddenLayerSizes)
    {
        ArgumentNullException.ThrowIfNull(hiddenLayerSizes);
        if (hiddenLayerSizes.Length == 0)
            throw new ArgumentException("An MLP needs at least one hidden layer, whose units the tasks share.", nameof(hiddenLayerSizes));
        CheckPositive(hiddenLayerSizes, nameof(hiddenLayerSizes));
        return new DvnArchitecture(DvnArchitectureKind.Mlp, 0, 0, 0, Array.Empty<int>(), (int[])hiddenLayerSizes.Clone());
    }

    /// <summary>
    /// A convolutional network for images given as flat float vectors of length
    /// <paramref name="channels"/> x <paramref name="height"/> x <paramref name="width"/>, in channel-major
    /// (channel, row, column) order. Every convolution is 3x3 with padding 1, followed by batch normalization,
    /// ReLU and 2x2 max-pooling; then come fully connected hidden layers, each with batch normalization and ReLU.
    /// </summary>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="channels">Image channels (1 for grey, 3 for colour).</param>
    /// <param name="convolutionChannels">Full output channels of every convolution; at least one.</param>
    /// <param name="hiddenLayerSizes">Full width of every fully connected hidden layer; may be empty.</param>
    public static DvnArchitecture Cnn(int height, int width, int channels, int[] convolutionChannels, int[] hiddenLayerSizes)
    {
        ArgumentNullException.ThrowIfNull(convolutionChannels);
        ArgumentNullException.ThrowIfNull(hiddenLayerSizes);
        if (height < 1 || width < 1 || channels < 1)
            throw new ArgumentOutOfRangeException(nameof(height),
                $"Image height, width and channels must be positive; got {height} x {width} x {channels}.");
        if (convolutionChannels.Length == 0)
            throw new ArgumentException("A CNN needs at least one convolution.", nameof(convolutionChannels));
        CheckPositive(convolutionChannels, nameof(convolutionChannels));
        CheckPositive(hiddenLayerSizes, nameof(hiddenLayerSizes));
        if (PooledSide(height, convolutionChannels.Length) < 1 || PooledSide(width, convolutionChannels.Length) < 1)
            throw new ArgumentException(
                $"An image of {height} x {width} pixels is too small for {convolutionChannels.Length} convolutions: " +
                $"each halves it with 2x2 max-pooling.", nameof(convolutionChannels));
        return new DvnArchitecture(DvnArchitectureKind.Cnn, height, width, channels,
            (int[])convolutionChannels.Clone(), (int[])hiddenLayerSizes.Clone());
    }

    /// <summary>The length of the feature vector this architecture reads, or null for an MLP (any length).</summary>
    public int? RequiredFeatureLength => Kind == DvnArchitectureKind.Cnn ? ImageChannels * ImageHeight * ImageWidth : null;

    /// <summary>
    /// An image side after <paramref name="convolutions"/> convolutions: each halves it (2x2 max-pooling, rounding down).
    /// 0 once nothing is left, also for 31 convolutions or more, where a C# shift would mask the count and keep the side.
    /// </summary>
    internal static int PooledSide(int side, int convolutions) => convolutions < 31 ? side >> convolutions : 0;

    /// <summary>The image's pixels (height x width) after the first <paramref name="convolutions"/> convolutions (<see cref="PooledSide"/>).</summary>
    internal long PooledArea(int convolutions) => (long)PooledSide(ImageHeight, convolutions) * PooledSide(ImageWidth, convolutions);

    /// <summary>The smallest hidden width: a DVN can have at most this many units.</summary>
    public int NarrowestLayer => _convolutionChannels.Concat(_hiddenLayerSizes).Min();

    /// <inheritdoc />
    public override string ToString() => Kind == DvnArchitectureKind.Mlp
        ? $"Mlp({string.Join(", ", _hiddenLayerSizes)})"
        : $"Cnn({ImageHeight}x{ImageWidth}x{ImageChannels}, conv [{string.Join(", ", _convolutionChannels)}], " +
          $"hidden [{string.Join(", ", _hiddenLayerSizes)}])";

    /// <summary>Whether <paramref name="other"/> is the same backbone: same kind, image shape and widths.</summary>
    public bool Equals(DvnArchitecture? other) =>
        other is not null && Kind == other.Kind && ImageHeight == other.ImageHeight && ImageWidth == other.ImageWidth &&
        ImageChannels == other.ImageChannels && _convolutionChannels.SequenceEqual(other._convolutionChannels) &&
        _hiddenLayerSizes.SequenceEqual(other._hiddenLayerSizes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DvnArchitecture);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(ImageHeight);
        hash.Add(ImageWidth);
        hash.Add(ImageChannels);
        foreach (int width in _convolutionChannels.Concat(_hiddenLayerSizes))
            hash.Add(width);
        return hash.ToHashCode();
    }

    private static void CheckPositive(int[] sizes, string name)
    {
        int bad = Array.FindIndex(sizes, s => s < 1);
        if (bad >= 0)
            throw new ArgumentOutOfRangeException(name, $"Layer {bad + 1} has width {sizes[bad]}; every width must be positive.");
    }
}
