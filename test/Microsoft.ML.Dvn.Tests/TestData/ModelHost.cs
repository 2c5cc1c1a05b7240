using System.Diagnostics;
using System.Reflection;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>Runs test/Microsoft.ML.Dvn.ModelHost as a child process: a model loaded in a process that did not save it.</summary>
internal static class ModelHost
{
    public static void Transform(string model, string input, string output, bool register)
    {
        string host = typeof(ModelHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ModelHost").Value!;
        Assert.IsTrue(File.Exists(host), $"the model host was not built: {host}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { host, model, input, output }.Concat(register ? new[] { "register" } : Array.Empty<string>()))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(120_000), "the model host did not finish in 2 minutes");
        Assert.AreEqual(0, process.ExitCode, $"the model host failed: {errors}");
    }
}
