using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Dvn.Samples.Benchmark;

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
        new(Native.TorchNative.OneDnnEnabled, Native.ChannelPadding.ForProcess.Multiple);
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
