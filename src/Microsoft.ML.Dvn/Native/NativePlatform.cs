using System.Runtime.InteropServices;

namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// What the process settings need from the platform: whether glibc's allocator is there to tune, and the exports of
/// libtorch_cpu. <see cref="Torch"/> is the real one; tests build one without them to run the start-up path as it runs
/// where they are missing (Windows, macOS, musl), without touching the process.
/// </summary>
internal sealed class NativePlatform
{
    private static readonly OnceOnSuccess<NativePlatform> Loaded = Loader(TorchNative.LoadTorchCpu);

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

    /// <summary>
    /// This process, with TorchSharp's native runtime loaded. A failed load throws with what to fix and is not kept:
    /// once the environment is fixed (a library installed, a path set), the next call loads.
    /// </summary>
    public static NativePlatform Torch => Loaded.Value;

    /// <summary>
    /// The platform of this process from <paramref name="loadTorchCpu"/> (libtorch_cpu's handle), loaded at the first
    /// call that succeeds and kept from then on (<see cref="OnceOnSuccess{T}"/>; a <see cref="Lazy{T}"/> would keep the
    /// first failure for the life of the process). <see cref="Torch"/> is the one the library uses.
    /// </summary>
    internal static OnceOnSuccess<NativePlatform> Loader(Func<IntPtr> loadTorchCpu) =>
        new(() => new NativePlatform(OperatingSystem.IsLinux(), loadTorchCpu()));

    public bool HasGlibc { get; }

    /// <summary>The address of a libtorch_cpu export, or <see cref="IntPtr.Zero"/>.</summary>
    public IntPtr Export(string symbol) => _export(symbol);
}
