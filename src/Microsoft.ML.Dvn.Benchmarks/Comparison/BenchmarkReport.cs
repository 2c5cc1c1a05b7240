using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Dvn.Benchmarks.Comparison;

/// <summary>The benchmark's JSON report of one seed (schema in docs/benchmarks.md).</summary>
/// <param name="Method">The training methods every network used.</param>
/// <param name="TasksAlongUnits">The DVN's tasks along its units (the first has the first home unit).</param>
/// <param name="TrainRows">Training rows of every task.</param>
/// <param name="TestRows">Test rows of every task.</param>
/// <param name="SharedMultiHead">Null when the run skipped it.</param>
/// <param name="Mlnet">Empty when the run skipped the ML.NET trainers.</param>
/// <param name="Inference">Empty when the run skipped the timing.</param>
internal sealed record BenchmarkReport(
    string Scenario, string Architecture, int Epochs, int Seed, MachineInfo Machine, ConvolutionInfo Convolution, TrainingRecipe Method, IReadOnlyList<string> TasksAlongUnits,
    IReadOnlyDictionary<string, int> TrainRows, IReadOnlyDictionary<string, int> TestRows,
    NetworkResult Dvn, NetworkResult Independent, NetworkResult? SharedMultiHead,
    IReadOnlyList<MlNetResult> Mlnet, IReadOnlyList<InferenceResult> Inference)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.Strict,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The tasks in task-key order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Tasks => Dvn.Levels.Select(l => l.Task).Distinct().ToArray();
}

/// <summary>How libtorch computed the convolutions in this run: CNN speed depends on it.</summary>
/// <param name="Onednn">Whether libtorch's oneDNN kernels were on (DVN_ONEDNN).</param>
/// <param name="Padding">Convolutions ran at channel counts rounded up to a multiple of this (1: as they are).</param>
internal sealed record ConvolutionInfo(bool Onednn, int Padding)
{
    /// <summary>What this process uses; call after libtorch is loaded.</summary>
    public static ConvolutionInfo OfThisProcess() =>
        new(Native.TorchNative.OneDnnEnabled, Native.ChannelPadding.ForProcess.Multiple);
}

/// <param name="ModelBytes">The size of the saved model zip.</param>
internal sealed record MlNetResult(string Trainer, string Task, double Accuracy, double TrainSeconds, long ModelBytes);

/// <summary>Prediction speed of one (task, level) of the DVN, three ways, on the same test rows.</summary>
/// <param name="BatchRowsPerSecond">The DVN transformer's Transform on cached rows with budgets that select the level, Score read through a cursor.</param>
/// <param name="RawTorchRowsPerSecond">The same sub-network called directly in TorchSharp on batches of the same size.</param>
/// <param name="SingleRowMicroseconds">A PredictionEngine over the whole pipeline, one row at a time.</param>
/// <param name="RawSingleRowMicroseconds">The same sub-network called directly in TorchSharp on one row at a time, timed alongside.</param>
internal sealed record InferenceResult(string Task, int Level, double BatchRowsPerSecond, double RawTorchRowsPerSecond,
    double SingleRowMicroseconds, double RawSingleRowMicroseconds);
