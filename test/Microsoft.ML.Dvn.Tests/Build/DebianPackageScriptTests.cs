using System.Diagnostics;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Build;

/// <summary>
/// build/debian-package.sh as the two install scripts use it: each declares <c>readonly package=…</c> and then sources
/// it, so the shared routine must run under that declaration. The machine's apt-get is kept out of reach (an empty
/// PATH), so the routine's first check answers and nothing is installed.
/// </summary>
[TestClass]
public sealed class DebianPackageScriptTests
{
    [TestMethod]
    [DataRow("install-data.sh", "dataset-fashion-mnist")]
    [DataRow("install-postgres.sh", "postgresql")]
    public void TheSharedRoutineRunsUnderTheScriptsReadonlyPackageName(string script, string package)
    {
        string declaration = File.ReadLines(Repository.File("build", script)).Single(l => l.StartsWith("readonly package=", StringComparison.Ordinal));
        Assert.AreEqual($"readonly package={package}", declaration, $"{script} names another package than this test expects");

        var (exitCode, errors) = Bash(
            $"set -euo pipefail; {declaration}; source '{Repository.File("build", "debian-package.sh")}'; " +
            "install_debian_package \"$package\" 'The test data'");

        Assert.AreEqual(1, exitCode, errors);
        StringAssert.Contains(errors, $"error: apt-get not found. The test data comes from the Debian package {package}");
        Assert.IsFalse(errors.Contains("readonly", StringComparison.Ordinal), errors);
    }

    private static (int ExitCode, string Errors) Bash(string command)
    {
        var empty = Directory.CreateTempSubdirectory("dvn-no-apt-");
        try
        {
            var start = new ProcessStartInfo("/bin/bash") { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(command);
            start.Environment["PATH"] = empty.FullName;
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            string errors = process.StandardError.ReadToEnd();
            Assert.IsTrue(process.WaitForExit(30_000), "bash did not finish in 30 s");
            return (process.ExitCode, errors + output.Result);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }
}
