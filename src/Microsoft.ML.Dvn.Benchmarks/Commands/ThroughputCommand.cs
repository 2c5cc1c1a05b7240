using System.Diagnostics;
using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Benchmarks.Commands;

/// <summary>
/// How much of the machine DVN training uses: the fp32 matrix-product rate libtorch reaches here (the ceiling), then
/// one epoch of DVN training of the benchmark's CNN and MLP (three tasks, three levels) in floating-point operations
/// a second. Operations are counted from the architecture: 2 per multiply-add of every convolution and fully
/// connected layer that a level reads, forward, and twice that backward (input and weight gradients; the first layer
/// needs no input gradient); normalization, activations and pooling are not counted, nor the zero channels that
/// padded convolutions compute. Last, where a CNN training step spends its time: the step is cut into its phases
/// (gathering the batch, the forward passes of every level with their losses, the backward pass, Adam's step), each
/// timed with a stopwatch: libtorch's CPU operations finish before they return.
/// </summary>
/// <remarks>The library's internals (InternalsVisibleTo): the trainer runs directly on tensors, so reading rows stays out.</remarks>
internal static class ThroughputCommand
{
    public const string Usage =
        "throughput [--rows N] [--seed S]\n" +
        "    The fp32 matrix-product ceiling of this machine (libtorch, all cores) and the GFLOP/s of one epoch of DVN training\n" +
        "    (the benchmark's CNN and MLP, 3 tasks of N random images each, default 3,000; batch 64; the second of 3 epochs),\n" +
        "    then the time of a CNN training step by phase (data, forward, backward, optimizer).";

    private const int Side = 28;
    private static readonly int[] Classes = { 10, 4, 10 };
    private const int MatrixSize = 2048;
    private const int BatchSize = 64;
    private const int WarmUpBatches = 30;
    private const int ProfiledBatches = 300;

    public static void Run(Arguments args)
    {
        int rows = args.Integer("rows", minimum: 64) ?? 3_000;
        int seed = args.Integer("seed", minimum: 0) ?? 1;
        args.RejectUnknown();

        DvnRuntime.Initialize();
        Console.WriteLine($"CPU: {MachineDescription.Cpu()}; {get_num_threads()} libtorch threads; " +
                          $"convolutions with oneDNN {(TorchNative.OneDnnEnabled ? "on" : "off")}.");
        double ceiling = MatrixProductGflops();
        Console.WriteLine($"fp32 matrix product {MatrixSize} x {MatrixSize}: {ceiling:F1} GFLOP/s (fastest of 20).");
        foreach (string kind in new[] { Architectures.Cnn, Architectures.Mlp })
        {
            var (gflops, samplesPerSecond) = TrainingGflops(Architectures.Full(kind), rows, seed);
            Console.WriteLine($"DVN training, {Architectures.Full(kind)}: {samplesPerSecond:N0} samples/s (every level of a batch's task), " +
                              $"{gflops:F1} GFLOP/s = {gflops / ceiling:0%} of the matrix product.");
        }
        PrintProfile(Architectures.Full(Architectures.Cnn), rows, seed);
    }

    private static double MatrixProductGflops()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(1);
        var a = randn(new long[] { MatrixSize, MatrixSize }, generator: generator);
        var b = randn(new long[] { MatrixSize, MatrixSize }, generator: generator);
        double fastest = double.MaxValue;
        for (int i = 0; i < 23; i++)
        {
            using var step = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            a.matmul(b);
            if (i >= 3)
                fastest = Math.Min(fastest, watch.Elapsed.TotalSeconds);
        }
        return 2.0 * MatrixSize * MatrixSize * MatrixSize / fastest / 1e9;
    }

    // Three epochs, the second timed: the first pays for warming up (first allocations, kernel selection), the last
    // ends with the normalization calibration pass.
    private static (double Gflops, double SamplesPerSecond) TrainingGflops(DvnArchitecture architecture, int rows, int seed)
    {
        using var scope = NewDisposeScope();
        int inputs = Side * Side;
        var allocation = new UnitAllocation(3, 3, 3);
        using var network = new DvnNetwork(architecture, inputs, Classes, allocation, seed);
        var tasks = RandomTasks(inputs, rows, seed);
        var ends = new List<TimeSpan>();
        TrainingLoop.Train(network, new CachedBatches(tasks), new DvnTrainingSettings(NumberOfEpochs: 3, BatchSize: BatchSize, LearningRate: 1e-3, WeightDecay: 0, Seed: seed),
            null, report => ends.Add(report.Elapsed), CancellationToken.None);
        double operations = 0;
        for (int t = 1; t <= allocation.NumberOfTasks; t++)
            for (int j = 1; j <= allocation.NumberOfLevels; j++)
                operations += (double)rows * TrainingOperations(network, architecture, t, j, Classes[t - 1]);
        double seconds = (ends[1] - ends[0]).TotalSeconds;
        return (operations / seconds / 1e9, rows * Classes.Length / seconds);
    }

    private static TaskData[] RandomTasks(int inputs, int rows, int seed)
    {
        var generator = new Generator((ulong)seed);
        return Classes.Select(c => new TaskData(rand(new long[] { rows, inputs }, generator: generator), randint(c, new long[] { rows }, generator: generator))).ToArray();
    }

    // The training loop's steps (TrainingLoop: tasks in turn, every level, Adam), with a stopwatch reading between the
    // phases; the median batch of each phase, after the first batches warmed up.
    private static void PrintProfile(DvnArchitecture architecture, int rows, int seed)
    {
        using var scope = NewDisposeScope();
        using var network = new DvnNetwork(architecture, Side * Side, Classes, new UnitAllocation(3, 3, 3), seed);
        var tasks = RandomTasks(Side * Side, rows, seed);
        using var optimizer = new AdamOptimizer(network.parameters(), learningRate: 1e-3);
        using var generator = new Generator((ulong)seed);
        var levels = Enumerable.Range(1, network.NumberOfLevels).ToArray();
        string[] phases = { "data (gather the batch's rows)", "forward (3 levels, losses)", "backward", "optimizer (Adam step)" };
        var times = phases.Select(_ => new List<double>()).ToArray();
        network.train();
        int seen = 0;
        while (seen < WarmUpBatches + ProfiledBatches)
            foreach (var batch in BatchSchedule.Shuffle(tasks.Select(t => t.RowCount).ToArray(), BatchSize, generator, DvnBatchOrder.RoundRobin).Take(WarmUpBatches + ProfiledBatches - seen))
            {
                using var batchScope = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                var task = tasks[batch.Task - 1];
                var features = task.Features.index_select(0, batch.Rows);
                var labels = task.Labels.index_select(0, batch.Rows);
                var lap = new List<double> { clock.Elapsed.TotalMilliseconds };
                network.zero_grad(set_to_none: true);
                var loss = levels.Select(j => nn.functional.cross_entropy(network.Forward(features, batch.Task, j), labels)).Aggregate((a, b) => a + b);
                lap.Add(clock.Elapsed.TotalMilliseconds);
                loss.backward();
                lap.Add(clock.Elapsed.TotalMilliseconds);
                optimizer.Step();
                lap.Add(clock.Elapsed.TotalMilliseconds);
                if (++seen > WarmUpBatches)
                    for (int i = 0; i < phases.Length; i++)
                        times[i].Add(lap[i] - (i == 0 ? 0 : lap[i - 1]));
            }
        var medians = times.Select(MachineDescription.Median).ToArray();
        Console.WriteLine($"CNN training step, batch {BatchSize}, median of {times[0].Count} batches (tasks in turn, after {WarmUpBatches} to warm up):");
        for (int i = 0; i < phases.Length; i++)
            Console.WriteLine($"  {phases[i],-32} {medians[i],7:F2} ms  {medians[i] / medians.Sum(),4:0%}");
    }

    // Multiply-adds x 2 of one sample's forward pass of (task, level), layer by layer; training is three times that
    // less the first layer's input gradient.
    private static double TrainingOperations(DvnNetwork network, DvnArchitecture architecture, int task, int level, int classes)
    {
        var widths = network.HiddenSlices(network.Allocation.Units(task, level)).Select(s => s.Length).ToArray();
        var forward = new List<double>();
        int height = architecture.ImageHeight, width = architecture.ImageWidth;
        int previous = architecture.Kind == DvnArchitectureKind.Cnn ? architecture.ImageChannels : network.InputSize;
        int convolutions = architecture.ConvolutionChannels.Count;
        for (int layer = 0; layer < widths.Length; layer++)
        {
            if (layer < convolutions)
            {
                forward.Add(2.0 * height * width * SlicedConv2d.KernelSize * SlicedConv2d.KernelSize * previous * widths[layer]);
                (height, width) = (height / 2, width / 2);
            }
            else
                forward.Add(2.0 * (layer == convolutions && convolutions > 0 ? previous * height * width : previous) * widths[layer]);
            previous = widths[layer];
        }
        forward.Add(2.0 * previous * classes);
        return 3 * forward.Sum() - forward[0];
    }
}
