using System.Reflection;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>
/// The repository the tests were built from (the project's <c>RepoRoot</c> assembly metadata), for tests that read or run
/// its files: README, build/ scripts and targets.
/// </summary>
internal static class Repository
{
    public static string Root { get; } = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);
}
