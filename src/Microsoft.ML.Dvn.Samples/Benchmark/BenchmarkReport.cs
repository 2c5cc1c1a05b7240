using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Dvn.Samples.Benchmark;

/// <summary>
/// The benchmark's JSON report (schema in docs/benchmarks.md). The rows per task are the full scenario's 20,000 and
/// 10,000 except with --quick.
/// </summary>
internal sealed record BenchmarkReport(
    string Scenario, string Architecture, int Epochs, int Seed, MachineInfo Machine, ConvolutionInfo Convolution,
    int TrainRowsPerTask, int TestRowsPerTask,
    NetworkResult Dvn, NetworkResult Independent, NetworkResult SharedMultiHead,
    IReadOnlyList<MlNetResult> Mlnet, IReadOnlyList<InferenceResult> Inference)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}

/// <param name="Cores">Logical processors the process sees.</param>
/// <param name="Os">The operating system's name and version.</param>
/// <param name="TorchSharp">TorchSharp's version.</param>
internal sealed record MachineInfo(int Cores, string Os, string TorchSharp);

/// <summary>How libtorch computed the convolutions in this run: CNN speed depends on it.</summary>
/// <param name="Onednn">Whether libtorch's oneDNN kernels were on (DVN_ONEDNN).</param>
/// <param name="Padding">Convolutions ran at channel counts rounded up to a multiple of this (1: as they are).</param>
internal sealed record ConvolutionInfo(bool Onednn, int Padding)
{
    /// <summary>What this process uses; call after libtorch is loaded.</summary>
    public static ConvolutionInfo OfThisProcess() =>
        new(Native.TorchNative.OneDnnEnabled, Network.ChannelPadding.ForProcess.Multiple);
}

/// <summary>One contender made of networks: what it stores, how long it trained and how every (task, level) did.</summary>
internal sealed record NetworkResult(long StoredParameters, double TrainSeconds, IReadOnlyList<LevelResult> Levels);

/// <param name="Parameters">The parameters a prediction of this (task, level) reads.</param>
/// <param name="Accuracy">Micro-accuracy on the task's test rows.</param>
/// <param name="MacroAccuracy">Mean over classes of the share predicted right.</param>
internal sealed record LevelResult(string Task, int Level, long Parameters, double Accuracy, double MacroAccuracy);

/// <param name="ModelBytes">The size of the saved model zip.</param>
internal sealed record MlNetResult(string Trainer, string Task, double Accuracy, double TrainSeconds, long ModelBytes);

/// <summary>Prediction speed of one (task, level) of the DVN, three ways, on the same test rows.</summary>
/// <param name="BatchRowsPerSecond">The DVN transformer's Transform on cached rows with budgets that select the level, Score read through a cursor.</param>
/// <param name="RawTorchRowsPerSecond">The same sub-network called directly in TorchSharp on batches of the same size.</param>
/// <param name="SingleRowMicroseconds">A PredictionEngine over the whole pipeline, one row at a time.</param>
/// <param name="RawSingleRowMicroseconds">The same sub-network called directly in TorchSharp on one row at a time, timed alongside.</param>
internal sealed record InferenceResult(string Task, int Level, double BatchRowsPerSecond, double RawTorchRowsPerSecond,
    double SingleRowMicroseconds, double RawSingleRowMicroseconds);
