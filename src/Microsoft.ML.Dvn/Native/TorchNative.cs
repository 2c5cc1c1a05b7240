using System.Runtime.InteropServices;
using TorchSharp;

namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// The one door to TorchSharp's native runtime: loads it with a message that says how to fix a failed load, and
/// applies the process-wide libtorch and allocator settings the library relies on, each where the platform has it
/// (<see cref="DvnRuntime"/> is the public entry point; README, "Process-wide settings").
/// </summary>
internal static class TorchNative
{
    /// <summary>Environment variable: "on", "off" or "auto" (default) for libtorch's oneDNN CPU kernels.</summary>
    public const string OneDnnVariable = "DVN_ONEDNN";

    /// <summary>Environment variable: "0" keeps glibc's default allocator thresholds.</summary>
    public const string MallocTuningVariable = "DVN_MALLOC_TUNING";

    /// <summary>
    /// Whether libtorch uses oneDNN (mkldnn) kernels, as its global context says now; where libtorch exports no switch
    /// (Windows), nobody could change it, so it is libtorch's default: on.
    /// </summary>
    public static bool OneDnnEnabled => TorchContextSwitches.OneDnnEnabled(NativePlatform.Torch) ?? true;

    /// <summary>
    /// The default: oneDNN on, on every CPU. On an AVX-512 machine libtorch 2.10's oneDNN convolution returned NaN at
    /// channel counts that DVN levels produce (21/43/85, 24/48/96, ...); the network's convolutions therefore run at
    /// channel counts rounded up to multiples of 16 while oneDNN is on (<see cref="ChannelPadding"/>), where
    /// no NaN appeared. Without oneDNN, libtorch's own convolution was 2-6x slower there (README, "Numerics and speed").
    /// </summary>
    public static bool OneDnnByDefault => true;

    /// <summary>
    /// Applies the allocator, oneDNN, NNPACK and MKL settings on <paramref name="platform"/>. A setting the platform
    /// lacks is skipped and described in the result, never an exception.
    /// </summary>
    internal static DvnProcessSettings ApplySettings(NativePlatform platform)
    {
        // Every environment variable is read and checked before anything changes: a bad value changes nothing.
        string? oneDnnVariable = Environment.GetEnvironmentVariable(OneDnnVariable);
        bool oneDnnWanted = OneDnnSetting(oneDnnVariable);
        bool mallocOptOut = Environment.GetEnvironmentVariable(MallocTuningVariable) == "0";
        bool allocatorTuned = !mallocOptOut && platform.HasGlibc && GlibcAllocator.KeepLargeBuffersInHeap();
        string allocator = allocatorTuned ? $"glibc mmap threshold {GlibcAllocator.MmapThreshold >> 20} MiB, no heap trimming"
            : mallocOptOut ? $"glibc defaults ({MallocTuningVariable}=0)"
            : "unchanged (no glibc mallopt here)";

        bool? oneDnn = TorchContextSwitches.TrySetOneDnn(platform, oneDnnWanted) ? oneDnnWanted : null;
        string oneDnnText = oneDnn is bool on
            ? $"{(on ? "on" : "off")} ({(string.IsNullOrWhiteSpace(oneDnnVariable) ? "default" : $"{OneDnnVariable}={oneDnnVariable}")})"
            : "libtorch's default (this libtorch exports no oneDNN switch)";

        string nnpack = TorchContextSwitches.TurnOffNnpackWhereUnavailable(platform) switch
        {
            true => "on",
            false => "off (it cannot initialize on this CPU)",
            null => "libtorch's default (this libtorch exports no NNPACK switch)",
        };

        bool? mkl = MklReproducibility.TryRequest(platform);
        string mklText = mkl switch
        {
            true => "reproducible mode AUTO",
            false => "reproducible mode refused (MKL had already run in this process)",
            null => "unchanged (this libtorch exports no MKL setting)",
        };
        return new DvnProcessSettings(allocatorTuned, oneDnn, mkl, $"allocator: {allocator}; oneDNN: {oneDnnText}; NNPACK: {nnpack}; MKL: {mklText}");
    }

    /// <summary>Loads TorchSharp's native runtime and returns libtorch_cpu; throws with what to fix where it cannot.</summary>
    internal static IntPtr LoadTorchCpu()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            throw new InvalidOperationException(LoadFailureMessage(e), e);
        }
        if (!NativeLibrary.TryLoad("torch_cpu", typeof(torch).Assembly, null, out IntPtr library)
            && !NativeLibrary.TryLoad(OperatingSystem.IsWindows() ? "torch_cpu.dll" : "libtorch_cpu.so", out library))
            throw new InvalidOperationException(
                "Microsoft.ML.Dvn could not find libtorch_cpu after TorchSharp loaded. Make sure the TorchSharp runtime " +
                "package (TorchSharp-cpu) is referenced.");
        return library;
    }

    /// <summary>Whether MKL runs in conditional numerical reproducibility mode AUTO (null: no MKL in this libtorch).</summary>
    public static bool? MklReproducible => MklReproducibility.IsOn(NativePlatform.Torch);

    private static bool OneDnnSetting(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => OneDnnByDefault,
        "on" or "1" or "true" => true,
        "off" or "0" or "false" => false,
        _ => throw new InvalidOperationException(
            $"The environment variable {OneDnnVariable} is '{value}'; expected on, off or auto (also 1, 0, true, false; unset is auto). " +
            "Nothing was changed: fix or unset it, and the next DVN call applies the process settings."),
    };

    internal static string LoadFailureMessage(Exception e)
    {
        string detail = e.InnerException?.Message ?? e.Message;
        string hint = OperatingSystem.IsLinux()
            ? " On Linux, TorchSharp 0.107's libLibTorchSharp.so needs GLIBCXX_3.4.32 (the libstdc++ of GCC 13); " +
              "Debian 12 and Ubuntu 22.04 ship GLIBCXX_3.4.30. Projects that reference the Microsoft.ML.Dvn package get " +
              "a patched copy in their build and publish output automatically (the package's buildTransitive targets); " +
              "rebuild the project, and check that the build log shows 'Microsoft.ML.Dvn: marked GLIBCXX_3.4.32 weak' (a warning " +
              "DVN1001 there means this TorchSharp needs GCC 13's libstdc++ for real). " +
              "If the application was copied elsewhere, copy it from the build or publish output again. " +
              "Run 'ldd <output>/runtimes/linux-x64/native/libLibTorchSharp.so' to see what the loader is missing."
            : string.Empty;
        return "Microsoft.ML.Dvn could not load TorchSharp's native runtime (libtorch)." + hint +
               " The package TorchSharp-cpu (or TorchSharp-cuda-linux) must be referenced. TorchSharp said: " +
               FirstLine(detail);
    }

    internal static string FirstLine(string text)
    {
        int end = text.IndexOf('\n');
        return end < 0 ? text : text[..end].TrimEnd();
    }
}
