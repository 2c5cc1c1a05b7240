using System.Runtime.InteropServices;

namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// What the process settings need from the platform: whether glibc's allocator is there to tune, and the exports of
/// libtorch_cpu. <see cref="Torch"/> is the real one; tests build one without them to run the start-up path as it runs
/// where they are missing (Windows, macOS, musl), without touching the process.
/// </summary>
internal sealed class NativePlatform
{
    private static readonly Lazy<NativePlatform> Loaded = new(
        () => new NativePlatform(OperatingSystem.IsLinux(), TorchNative.LoadTorchCpu()), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Func<string, IntPtr> _export;

    /// <param name="hasGlibc">Whether mallopt may be called (Linux; musl fails harmlessly).</param>
    /// <param name="export">An export of libtorch_cpu by symbol name, or <see cref="IntPtr.Zero"/> where it has none.</param>
    public NativePlatform(bool hasGlibc, Func<string, IntPtr> export)
    {
        HasGlibc = hasGlibc;
        _export = export;
    }

    private NativePlatform(bool hasGlibc, IntPtr torchCpu)
        : this(hasGlibc, name => NativeLibrary.TryGetExport(torchCpu, name, out IntPtr address) ? address : IntPtr.Zero)
    {
    }

    /// <summary>This process, with TorchSharp's native runtime loaded (a failed load throws with what to fix).</summary>
    public static NativePlatform Torch => Loaded.Value;

    public bool HasGlibc { get; }

    /// <summary>The address of a libtorch_cpu export, or <see cref="IntPtr.Zero"/>.</summary>
    public IntPtr Export(string symbol) => _export(symbol);
}
