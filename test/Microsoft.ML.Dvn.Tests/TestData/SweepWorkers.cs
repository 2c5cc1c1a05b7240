using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>
/// A test/Microsoft.ML.Dvn.SweepWorker process: one worker of a study, running <see cref="WorkerSweep"/>. Killed on
/// dispose if still running.
/// </summary>
internal sealed class SweepWorker : IDisposable
{
    private readonly StringBuilder _errors = new();

    private SweepWorker(Process process) => Process = process;

    public Process Process { get; }

    public static SweepWorker Start(DvnStudy study, DvnSweepStrategy strategy)
    {
        string program = typeof(SweepWorker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SweepWorker").Value!;
        Assert.IsTrue(File.Exists(program), $"the sweep worker was not built: {program}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[]
                 {
                     program, study.Database == DvnStudyDatabase.PostgreSql ? "postgres" : "sqlite", study.Connection,
                     study.Lease.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), strategy.ToString(),
                 })
            start.ArgumentList.Add(argument);
        var worker = new SweepWorker(Process.Start(start)!);
        // Both pipes drained as they come, so a chatty worker never blocks.
        worker.Process.OutputDataReceived += (_, _) => { };
        worker.Process.ErrorDataReceived += (_, e) =>
        {
            lock (worker._errors)
                worker._errors.AppendLine(e.Data);
        };
        worker.Process.BeginOutputReadLine();
        worker.Process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>True when a claim's worker name ("machine/pid/random") is this process's.</summary>
    public bool Holds(string workerName) => workerName.Contains($"/{Process.Id}/", StringComparison.Ordinal);

    /// <summary>Waits for the worker to finish and asserts it succeeded.</summary>
    public void Finish()
    {
        Assert.IsTrue(Process.WaitForExit(300_000), "a sweep worker did not finish in 5 minutes");
        Process.WaitForExit();
        lock (_errors)
            Assert.AreEqual(0, Process.ExitCode, $"a sweep worker failed: {_errors}");
    }

    /// <summary>SIGKILL (what .NET's Process.Kill sends on Linux): no cleanup, no release of its claims.</summary>
    public void Kill()
    {
        Process.Kill();
        Process.WaitForExit();
    }

    public void Dispose()
    {
        if (!Process.HasExited)
            Kill();
        Process.Dispose();
    }
}
