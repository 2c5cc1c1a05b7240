namespace Microsoft.ML.Dvn.Tests.Native;

/// <summary>
/// Tests build networks directly, without the estimator or the loader that apply the library's process-wide
/// settings; apply them once before any test, as an application would at start-up.
/// </summary>
[TestClass]
public sealed class TestProcessSettings
{
    [AssemblyInitialize]
    public static void ApplyTheLibrarysProcessSettings(TestContext _) => DvnRuntime.Initialize();
}
