using System.Diagnostics;
using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Benchmarks.Commands;

/// <summary>
/// Looks for non-finite values in CNN training and prediction at many channel counts: for every width, a CNN of
/// exactly those convolution channels trains on random batches (forward and backward, Adam) and predicts, once with
/// the convolutions padded as the library pads them by default and once unpadded. Before every batch the freed heap
/// is filled with NaN, so a kernel that reads memory it never wrote shows it at once instead of now and then.
/// </summary>
/// <remarks>
/// The library's internals (InternalsVisibleTo): the padding is switched per layer, and gradients are counted
/// before the optimizer step, which the estimator does not expose. oneDNN is on or off for the whole process
/// (DVN_ONEDNN); run the command once per setting to see both.
/// </remarks>
internal static class StressCommand
{
    public const string Usage =
        "stress [--widths 11/21,21/43,...] [--batches N] [--seed S]\n" +
        "    Trains and predicts CNNs of the given convolution channels on N random batches each, padded and unpadded, and counts\n" +
        "    non-finite values in the logits, gradients and predictions. Defaults: 11/21, 21/43, 22/44, 24/48, 40/80, 16/32/48,\n" +
        "    16/32, 32/64, 48/96; 50 batches; seed 1. DVN_ONEDNN=on|off|auto picks libtorch's convolution for the process.";

    private const int Side = 28;
    private const int Classes = 10;
    private const int TrainingBatch = 64;
    private const int PredictionBatch = 256;

    private static readonly string DefaultWidths = "11/21,21/43,22/44,24/48,40/80,16/32/48,16/32,32/64,48/96";

    public static void Run(Arguments args)
    {
        var widths = ParseWidths(args.Text("widths") ?? DefaultWidths);
        int batches = args.Integer("batches", minimum: 1) ?? 50;
        int seed = args.Integer("seed", minimum: 0) ?? 1;
        args.RejectUnknown();

        DvnRuntime.Initialize();
        var byDefault = ChannelPadding.ForProcess;
        var paths = byDefault.Multiple == 1
            ? new[] { ("unpadded", ChannelPadding.None) }
            : new[] { ($"padded to {byDefault.Multiple} (default)", byDefault), ("unpadded", ChannelPadding.None) };
        Console.WriteLine($"Stress: oneDNN {(TorchNative.OneDnnEnabled ? "on" : "off")} ({TorchNative.OneDnnVariable}=" +
                          $"{Environment.GetEnvironmentVariable(TorchNative.OneDnnVariable) ?? "auto"}), {batches:N0} random batches " +
                          $"of {TrainingBatch} rows a width and path, predictions in batches of {PredictionBatch}, seed {seed}; CPU: {MachineDescription.Cpu()}.");
        Console.WriteLine($"{"convolutions",-12} {"path",-22} {"non-finite: forward",19} {"backward",9} {"predict",8} {"ms/train batch",15} {"ms/predict batch",17}");

        long total = 0;
        foreach (var channels in widths)
            foreach (var (name, padding) in paths)
            {
                var result = Stress(channels, padding, batches, seed);
                total += result.Forward + result.Backward + result.Predict;
                Console.WriteLine($"{string.Join('/', channels),-12} {name,-22} {result.Forward,19:N0} {result.Backward,9:N0} {result.Predict,8:N0} " +
                                  $"{result.TrainMilliseconds,15:F1} {result.PredictMilliseconds,17:F1}");
            }
        Console.WriteLine(total == 0
            ? "No non-finite value at any width."
            : $"{total:N0} non-finite values in all; the rows above show where.");
    }

    private sealed record StressResult(long Forward, long Backward, long Predict, double TrainMilliseconds, double PredictMilliseconds);

    private static StressResult Stress(int[] channels, ChannelPadding padding, int batches, int seed)
    {
        using var scope = NewDisposeScope();
        var architecture = DvnArchitecture.Cnn(Side, Side, 1, channels, new[] { channels[^1] });
        using var network = new DvnNetwork(architecture, Side * Side, new[] { Classes }, new UnitAllocation(1, 1, 1), seed);
        foreach (var convolution in network.modules().OfType<SlicedConv2d>())
            convolution.Path.Padding = padding;
        using var optimizer = new AdamOptimizer(network.parameters(), learningRate: 1e-3);
        using var generator = new Generator((ulong)seed);
        long forward = 0, backward = 0, predict = 0;
        var train = new List<double>();
        var prediction = new List<double>();
        for (int b = 0; b < batches; b++)
        {
            using var batchScope = NewDisposeScope();
            var images = rand(new long[] { PredictionBatch, Side * Side }, generator: generator);
            var labels = randint(Classes, new long[] { TrainingBatch }, generator: generator);

            FillFreedHeapWithNaN();
            var watch = Stopwatch.StartNew();
            network.train();
            network.zero_grad(set_to_none: true);
            var logits = network.Forward(images.narrow(0, 0, TrainingBatch), task: 1, level: 1);
            nn.functional.cross_entropy(logits, labels).backward();
            long badLogits = NonFinite(logits);
            long badGradients = network.parameters().Where(p => p.grad is not null).Sum(p => NonFinite(p.grad!));
            // A step on non-finite gradients would spoil the weights and every later batch: skip it.
            if (badLogits + badGradients == 0)
                optimizer.Step();
            train.Add(watch.Elapsed.TotalMilliseconds);
            forward += badLogits;
            backward += badGradients;

            FillFreedHeapWithNaN();
            watch.Restart();
            network.eval();
            using (no_grad())
                predict += NonFinite(network.Forward(images, task: 1, level: 1));
            prediction.Add(watch.Elapsed.TotalMilliseconds);
        }
        return new StressResult(forward, backward, predict, MachineDescription.Median(train), MachineDescription.Median(prediction));
    }

    private static long NonFinite(Tensor values) => values.isfinite().logical_not().sum().item<long>();

    // About 64 MiB of NaN in pieces of 8 MiB down to 4 KiB, below glibc's mmap threshold (the library raises it to
    // 32 MiB), and then all freed: the pieces of every size take over the free chunks that the last batch's buffers
    // left, so the next allocations get memory full of NaN, and whatever a kernel reads without writing it first is
    // NaN instead of the zeros or stale finite values it usually finds.
    private static void FillFreedHeapWithNaN()
    {
        using var scope = NewDisposeScope();
        for (long floats = 2 * 1024 * 1024; floats >= 1024; floats /= 2)
            for (int i = 0; i < 4; i++)
                full(floats, float.NaN);
    }

    private static int[][] ParseWidths(string text) => text.Split(',', StringSplitOptions.TrimEntries).Select(width =>
    {
        var parts = width.Split('/');
        if (parts.Length > 4 || !parts.All(p => int.TryParse(p, out int c) && c >= 1))
            throw new UsageException($"'stress': --widths has '{width}'; expected 1 to 4 channel counts of at least 1 separated by '/', e.g. 21/43.");
        return parts.Select(int.Parse).ToArray();
    }).ToArray();
}
