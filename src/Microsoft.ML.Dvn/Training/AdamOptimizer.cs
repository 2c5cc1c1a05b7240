using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// Adam with an L2 penalty (Kingma and Ba, 2015): step for step what TorchSharp's <c>optim.Adam</c> computes, to the
/// bit (a test holds it to that), except that every <see cref="Scalar"/> it hands to libtorch is owned here and outlives
/// the native call.
/// </summary>
/// <remarks>
/// Why not <c>optim.Adam</c>: TorchSharp 0.107 turns the numbers of its optimizer's tensor calls (<c>1 - beta2</c>, the
/// step size) into temporary Scalars and passes only their native handles on. Once the handle is read nothing refers
/// to the Scalar, so a garbage collection during the native call may run its finalizer, which frees the native value
/// while libtorch reads it: libtorch then throws "Expected false to be true" from <c>c10::Scalar::toFloat</c>, or reads
/// whatever the freed memory holds. A 600,000-row streamed fit, whose cursors allocate enough to collect often, failed
/// that way. Parameters whose gradient is undefined (set to none) are skipped and keep their step count, as in
/// TorchSharp and PyTorch.
/// </remarks>
internal sealed class AdamOptimizer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor?[] _averages;
    private readonly Tensor?[] _squaredAverages;
    private readonly long[] _steps;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _weightDecay;
    private readonly Scalar _beta1Scalar;
    private readonly Scalar _oneMinusBeta1;
    private readonly Scalar _beta2Scalar;
    private readonly Scalar _oneMinusBeta2;
    private readonly Scalar _epsilon;
    private readonly Scalar _weightDecayScalar;
    private readonly Scalar _one;
    private bool _disposed;

    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate, double weightDecay = 0,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate >= 0))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be at least 0.");
        if (!(weightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay must be at least 0.");
        if (!(beta1 >= 0 && beta1 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be at least 0.");
        _parameters = parameters.ToArray();
        _averages = new Tensor?[_parameters.Length];
        _squaredAverages = new Tensor?[_parameters.Length];
        _steps = new long[_parameters.Length];
        LearningRate = learningRate;
        (_beta1, _beta2, _weightDecay) = (beta1, beta2, weightDecay);
        _beta1Scalar = beta1.ToScalar();
        _oneMinusBeta1 = (1 - beta1).ToScalar();
        _beta2Scalar = beta2.ToScalar();
        _oneMinusBeta2 = (1 - beta2).ToScalar();
        _epsilon = epsilon.ToScalar();
        _weightDecayScalar = weightDecay.ToScalar();
        _one = 1.ToScalar();
    }

    /// <summary>The learning rate of the next <see cref="Step"/>; a schedule sets it before every step.</summary>
    public double LearningRate { get; set; }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            var gradient = parameter.grad;
            if (gradient is null)
                continue;
            long step = ++_steps[i];
            double correction1 = 1 - Math.Pow(_beta1, step);
            double correction2 = 1 - Math.Pow(_beta2, step);
            if (_weightDecay != 0)
                gradient = gradient.add(parameter, alpha: _weightDecayScalar);

            var average = _averages[i] ??= zeros_like(parameter).DetachFromDisposeScope();
            var squaredAverage = _squaredAverages[i] ??= zeros_like(parameter).DetachFromDisposeScope();
            average.mul_(_beta1Scalar).add_(gradient, alpha: _oneMinusBeta1);
            squaredAverage.mul_(_beta2Scalar).addcmul_(gradient, gradient, value: _oneMinusBeta2);

            using var rootCorrection2 = Math.Sqrt(correction2).ToScalar();
            var denominator = squaredAverage.sqrt().div(rootCorrection2).add_(_epsilon, alpha: _one);
            using var stepSize = (-(LearningRate / correction1)).ToScalar();
            parameter.addcdiv_(average, denominator, value: stepSize);
        }
    }

    /// <summary>Adam's state: each parameter's moments (null before its first gradient) and step count, as bytes.</summary>
    public sealed record State(IReadOnlyList<byte[]?> Averages, IReadOnlyList<byte[]?> SquaredAverages, long[] Steps);

    /// <summary>A copy of the moments and step counts (<see cref="TrainingCheckpoint"/>).</summary>
    public State Capture() => new(
        _averages.Select(t => t is null ? null : TrainingCheckpoint.Bytes(t)).ToArray(),
        _squaredAverages.Select(t => t is null ? null : TrainingCheckpoint.Bytes(t)).ToArray(),
        (long[])_steps.Clone());

    /// <summary>Takes the moments and step counts of <paramref name="state"/> (captured from an optimizer of the same parameters).</summary>
    public void Restore(State state)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (state.Steps.Length != _parameters.Length)
            throw new InvalidOperationException($"An optimizer state of {state.Steps.Length} parameters cannot continue an optimizer of {_parameters.Length}.");
        for (int i = 0; i < _parameters.Length; i++)
        {
            _averages[i] = Moment(_averages[i], state.Averages[i], _parameters[i]);
            _squaredAverages[i] = Moment(_squaredAverages[i], state.SquaredAverages[i], _parameters[i]);
            _steps[i] = state.Steps[i];
        }
    }

    private static Tensor? Moment(Tensor? current, byte[]? bytes, Parameter parameter)
    {
        current?.Dispose();
        if (bytes is null)
            return null;
        var moment = zeros_like(parameter).DetachFromDisposeScope();
        TrainingCheckpoint.Load(moment, bytes);
        return moment;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var tensor in _averages.Concat(_squaredAverages))
            tensor?.Dispose();
        foreach (var scalar in new[] { _beta1Scalar, _oneMinusBeta1, _beta2Scalar, _oneMinusBeta2, _epsilon, _weightDecayScalar, _one })
            scalar.Dispose();
    }
}
