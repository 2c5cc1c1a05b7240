using System.Diagnostics;
using Microsoft.ML.Dvn.Benchmarks.Soak;
using Microsoft.ML.Dvn.Benchmarks.Streaming;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Benchmarks.Commands;

/// <summary>
/// Training on data larger than memory, measured: fmnist-3tasks training rows written to ML.NET binary files of
/// several lengths, then for every length one fit with cached and one with streamed training data, each in a process
/// of its own, reporting the time of Fit and the process's peak resident memory (VmHWM). Streamed memory should stay
/// flat as the rows grow; cached memory grows with them. With --evaluate, also the top level's test accuracy.
/// </summary>
internal static class StreamCommand
{
    public const string Usage =
        "stream [--data fmnist|generated] [--rows N[,N...]] [--modes cached,streamed] [--epochs N] [--seed S] [--buffer N] [--dir PATH] [--evaluate]\n" +
        "    Writes the fmnist-3tasks training rows (repeated) to binary files, fits an MLP DVN from each with cached and with\n" +
        "    streamed training data, each fit in a new process, and prints the time and peak resident memory (VmHWM) of each.\n" +
        "    Defaults: rows 60000,600000, both modes, 1 epoch, seed 1, buffer 16384, dir /tmp; --evaluate adds test accuracy.";

    /// <summary>The option that makes the command run one measured fit (in the process the command starts).</summary>
    private const string FitOption = "fit";

    public static void Run(Arguments args)
    {
        string data = DataSource.Choose(args.Choice("data", DataSource.FashionMnistName, DataSource.GeneratedName));
        var rowCounts = (args.Text("rows") ?? "60000,600000").Split(',').Select(r => int.TryParse(r, out int n) && n >= 100
            ? n : throw new UsageException($"'stream': --rows takes row counts of at least 100 separated by commas; got '{r}'.")).ToArray();
        var modes = (args.Text("modes") ?? "cached,streamed").Split(',').Select(m => Enum.TryParse<DvnTrainingData>(m, ignoreCase: true, out var mode)
            ? mode : throw new UsageException($"'stream': --modes takes cached and streamed separated by commas; got '{m}'.")).ToArray();
        int epochs = args.Integer("epochs", minimum: 1) ?? 1;
        int seed = args.Integer("seed", minimum: 0) ?? 1;
        int buffer = args.Integer("buffer", minimum: 1) ?? 16_384;
        string directory = args.Text("dir") ?? Path.GetTempPath();
        bool evaluate = args.Switch("evaluate");
        string? fitFile = args.Text(FitOption);
        args.RejectUnknown();
        if (!ResidentMemory.IsAvailable)
            throw new UsageException("'stream' reads peak resident memory from /proc/self/status, which this system does not have (Linux only).");

        if (fitFile is not null)
        {
            Console.WriteLine(MeasuredFit.Run(fitFile, data, modes.Single(), epochs, seed, buffer, evaluate));
            return;
        }
        var results = new List<MeasuredFit>();
        foreach (int rows in rowCounts)
        {
            string file = LargeDataFile.Ensure(directory, data, rows);
            foreach (var mode in modes)
            {
                var result = Progress.Step($"Fitting {rows:N0} rows, {mode}, {Wording.Count(epochs, "epoch")}",
                    () => RunAlone(file, data, mode, epochs, seed, buffer, evaluate));
                // Each result as soon as it is known: a long run that fails later keeps what it measured.
                Console.WriteLine(Row(result, result.Accuracy.Count > 0));
                results.Add(result);
            }
        }
        Print(results, epochs, seed, buffer);
    }

    // A process of its own for each fit: VmHWM is the peak of the whole process's life.
    private static MeasuredFit RunAlone(string file, string data, DvnTrainingData mode, int epochs, int seed, int buffer, bool evaluate)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(typeof(StreamCommand).Assembly.Location);
        foreach (string argument in new[] { "stream", "--data", data, "--modes", mode.ToString(), "--epochs", $"{epochs}", "--seed", $"{seed}",
                     "--buffer", $"{buffer}", $"--{FitOption}", file })
            start.ArgumentList.Add(argument);
        if (evaluate)
            start.ArgumentList.Add("--evaluate");
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith(MeasuredFit.Prefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"The fit of {file} ({mode}) failed with exit code {process.ExitCode}:\n{output}");
        return MeasuredFit.Parse(line.TrimEnd());
    }

    private static void Print(List<MeasuredFit> results, int epochs, int seed, int buffer)
    {
        Console.WriteLine();
        Console.WriteLine($"MLP DVN, {Wording.Count(epochs, "epoch")}, seed {seed}, shuffle buffer {buffer:N0} rows; each fit in its own process.");
        bool accuracy = results.Any(r => r.Accuracy.Count > 0);
        Console.WriteLine("| rows | training data | Fit time | peak RSS (VmHWM) |" + (accuracy ? " top-level test accuracy (fine, coarse, inverted) |" : ""));
        Console.WriteLine("|---:|---|---:|---:|" + (accuracy ? "---|" : ""));
        foreach (var r in results)
            Console.WriteLine(Row(r, accuracy));
    }

    private static string Row(MeasuredFit r, bool accuracy) =>
        $"| {r.Rows:N0} | {r.Mode.ToLowerInvariant()} | {r.Seconds:F1} s | {r.PeakBytes / 1048576.0:N0} MiB |" +
        (accuracy ? $" {string.Join(", ", r.Accuracy.Select(a => $"{a:P1}"))} |" : "");
}
