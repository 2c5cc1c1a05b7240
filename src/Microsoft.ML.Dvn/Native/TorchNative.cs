using System.Runtime.InteropServices;
using TorchSharp;

namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// The one door to TorchSharp's native runtime: loads it with a message that says how to fix a failed load, and
/// applies the process-wide libtorch and allocator settings the library relies on (see README, "Numerics and speed").
/// </summary>
internal static class TorchNative
{
    /// <summary>Environment variable: "on", "off" or "auto" (default) for libtorch's oneDNN CPU kernels.</summary>
    public const string OneDnnVariable = "DVN_ONEDNN";

    /// <summary>Environment variable: "0" keeps glibc's default allocator thresholds.</summary>
    public const string MallocTuningVariable = "DVN_MALLOC_TUNING";

    private static readonly Lazy<IntPtr> TorchCpu = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads libtorch and applies the settings; cheap after the first call.</summary>
    public static void EnsureInitialized() => _ = TorchCpu.Value;

    /// <summary>Whether libtorch uses oneDNN (mkldnn) kernels, as its global context says now.</summary>
    public static unsafe bool OneDnnEnabled
    {
        get
        {
            var userEnabled = (delegate* unmanaged<IntPtr, byte>)NativeLibrary.GetExport(TorchCpu.Value, "_ZNK2at7Context17userEnabledMkldnnEv");
            return userEnabled(GlobalContext()) != 0;
        }
    }

    /// <summary>
    /// The default: oneDNN on, on every CPU. On an AVX-512 machine libtorch 2.10's oneDNN convolution returned NaN at
    /// channel counts that DVN levels produce (21/43/85, 24/48/96, ...); the network's convolutions therefore run at
    /// channel counts rounded up to multiples of 16 while oneDNN is on (<see cref="Network.ChannelPadding"/>), where
    /// no NaN appeared. Without oneDNN, libtorch's own convolution was 2-6x slower there (README, "Numerics and speed").
    /// </summary>
    public static bool OneDnnByDefault => true;

    private static IntPtr Initialize()
    {
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(MallocTuningVariable) != "0")
            GlibcAllocator.KeepLargeBuffersInHeap();
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
        SetOneDnn(library, OneDnnSetting());
        RequestReproducibleMkl(library);
        return library;
    }

    // MKL's sgemm picks kernels by buffer alignment unless told otherwise: measured here, the same small matrix product
    // on the same inputs gave two different results over 300 runs (last bits). Conditional numerical reproducibility
    // (MKL_CBWR_AUTO = 2: the best code path of this CPU, the same every run) makes equal inputs give equal bits, which
    // the seed and save/load guarantees rely on. libtorch_cpu links MKL statically and exports its setter; it must run
    // before MKL's first computation, and fails harmlessly (returns non-zero) otherwise.
    private static unsafe void RequestReproducibleMkl(IntPtr library)
    {
        if (NativeLibrary.TryGetExport(library, "mkl_serv_cbwr_set", out IntPtr set))
            ((delegate* unmanaged<int, int>)set)(MklCbwrAuto);
    }

    private const int MklCbwrAuto = 2;

    /// <summary>Whether MKL runs in conditional numerical reproducibility mode AUTO (null: no MKL in this libtorch).</summary>
    public static unsafe bool? MklReproducible =>
        NativeLibrary.TryGetExport(TorchCpu.Value, "mkl_serv_cbwr_get", out IntPtr get)
            ? ((delegate* unmanaged<int, int>)get)(1) == MklCbwrAuto
            : null;

    private static bool OneDnnSetting() => Environment.GetEnvironmentVariable(OneDnnVariable)?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => OneDnnByDefault,
        "on" or "1" or "true" => true,
        "off" or "0" or "false" => false,
        var other => throw new InvalidOperationException($"{OneDnnVariable}='{other}' is not understood; use on, off or auto."),
    };

    // at::globalContext().setUserEnabledMkldnn(bool): TorchSharp has no API for it; libtorch_cpu exports the C++ symbols.
    private static unsafe void SetOneDnn(IntPtr library, bool enabled)
    {
        var setUserEnabled = (delegate* unmanaged<IntPtr, byte, void>)NativeLibrary.GetExport(library, "_ZN2at7Context20setUserEnabledMkldnnEb");
        setUserEnabled(GlobalContext(library), enabled ? (byte)1 : (byte)0);
    }

    private static unsafe IntPtr GlobalContext(IntPtr? library = null) =>
        ((delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(library ?? TorchCpu.Value, "_ZN2at13globalContextEv"))();

    internal static string LoadFailureMessage(Exception e)
    {
        string detail = e.InnerException?.Message ?? e.Message;
        string hint = OperatingSystem.IsLinux()
            ? " On Linux, TorchSharp 0.107's libLibTorchSharp.so needs GLIBCXX_3.4.32 (the libstdc++ of GCC 13); " +
              "Debian 12 and Ubuntu 22.04 ship GLIBCXX_3.4.30. Projects that reference the Microsoft.ML.Dvn package get " +
              "a patched copy in their build and publish output automatically (the package's buildTransitive targets); " +
              "rebuild the project, and check that the build log shows 'Microsoft.ML.Dvn: marked GLIBCXX_3.4.32 weak'. " +
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
