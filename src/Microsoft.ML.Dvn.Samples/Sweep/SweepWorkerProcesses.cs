using System.Diagnostics;

namespace Microsoft.ML.Dvn.Samples.Sweep;

/// <summary>
/// <c>sweep --workers N</c>: starts N copies of this program as workers of the study (<c>--join</c>, the same options,
/// one libtorch thread each unless <c>--threads</c> says otherwise) and waits for them. Their output goes to this
/// console, each line as the worker printed it.
/// </summary>
internal static class SweepWorkerProcesses
{
    /// <summary>Options a worker does not take: the count of workers, and what only the process that writes the report does.</summary>
    private static readonly string[] NotForWorkers = { "--workers", "--out", "--plots", "--test-seeds" };

    public static void Run(IReadOnlyList<string> given, int workers)
    {
        var options = WorkerOptions(given);
        Console.WriteLine($"Starting {workers} worker processes: sweep {string.Join(' ', options)}");
        var processes = Enumerable.Range(0, workers).Select(_ => Start(options)).ToArray();
        foreach (var process in processes)
            process.WaitForExit();
        int failed = processes.Count(p => p.ExitCode != 0);
        foreach (var process in processes)
            process.Dispose();
        if (failed > 0)
            throw new InvalidOperationException($"{failed} of {workers} worker processes failed (their messages are above); run the same command again to resume the study.");
    }

    private static List<string> WorkerOptions(IReadOnlyList<string> given)
    {
        var options = new List<string>();
        for (int i = 0; i < given.Count; i++)
        {
            if (NotForWorkers.Contains(given[i]))
            {
                i++;   // and its value
                continue;
            }
            options.Add(given[i]);
        }
        options.Add("--join");
        return options;
    }

    // This program again: through dotnet when it runs as a .dll (dotnet run), else its own executable.
    private static Process Start(IReadOnlyList<string> options)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(typeof(SweepWorkerProcesses).Assembly.Location);
        start.ArgumentList.Add("sweep");
        foreach (var option in options)
            start.ArgumentList.Add(option);
        return Process.Start(start)!;
    }
}
