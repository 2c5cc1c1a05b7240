using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// Batch normalization owned by one (task, level) for one hidden layer: its scale and shift, and its running mean
/// and variance, over that level's active channels. Works on [batch, channels] and [batch, channels, h, w].
/// </summary>
/// <remarks>
/// Ours, after slimmable networks (Yu et al., ICLR 2019): feature statistics differ by width, so one batch norm
/// shared across levels ruins the smaller ones.
/// </remarks>
internal sealed class LevelNorm : nn.Module
{
    /// <summary>Added to the variance before its square root, in training and prediction alike.</summary>
    public const double Epsilon = 1e-5;

    /// <summary>The running variance's name among the module's buffers (its field's name, as TorchSharp registers it).</summary>
    public const string RunningVarianceName = nameof(running_var);

    private const double Momentum = 0.1;

    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;

    // While calibrating: batches seen so far; the running statistics are then their exact average.
    private int? _calibrationBatches;

    public LevelNorm(string name, int channels) : base(name)
    {
        weight = new Parameter(ones(channels));
        bias = new Parameter(zeros(channels));
        running_mean = zeros(channels);
        running_var = ones(channels);
        RegisterComponents();
    }

    public Tensor Scale => weight;

    public Tensor Shift => bias;

    public Tensor RunningMean => running_mean;

    public Tensor RunningVariance => running_var;

    /// <summary>Scale, shift, running mean and running variance: four numbers a channel.</summary>
    public long ParameterCount => 4 * weight.shape[0];

    public Tensor Forward(Tensor input)
    {
        double momentum = Momentum;
        if (training && _calibrationBatches is int seen)
        {
            momentum = 1.0 / (seen + 1);
            _calibrationBatches = seen + 1;
        }
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, Epsilon);
    }

    /// <summary>
    /// Until <see cref="EndCalibration"/>, training-mode batches set the running statistics to the plain average of
    /// their batch statistics (not an exponential average that lags behind the weights).
    /// </summary>
    public void BeginCalibration()
    {
        using var _ = no_grad();
        running_mean.zero_();
        using var one = 1.0f.ToScalar();
        running_var.fill_(one);
        _calibrationBatches = 0;
    }

    public void EndCalibration() => _calibrationBatches = null;
}
