using System.Runtime.InteropServices;
using TorchSharp;

namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// The one door to TorchSharp's native runtime: loads it with a message that says how to fix a failed load,
/// and applies the process-wide libtorch settings that DVN levels need to compute finite values.
/// </summary>
internal static class TorchNative
{
    private static readonly Lazy<bool> Initialized = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads libtorch and applies the settings; cheap after the first call.</summary>
    public static void EnsureInitialized() => _ = Initialized.Value;

    private static bool Initialize()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            throw new InvalidOperationException(LoadFailureMessage(e), e);
        }
        DisableOneDnn();
        return true;
    }

    // libtorch's oneDNN (mkldnn) CPU convolution returns NaN at channel counts that DVN levels produce
    // (21, 43, 85 and others; see README "Numerics"). at::globalContext().setUserEnabledMkldnn(false)
    // routes convolutions to libtorch's native kernels, which stay finite and bit-reproducible.
    // TorchSharp has no API for it, so it is called through libtorch_cpu's exported C++ symbols.
    private static unsafe void DisableOneDnn()
    {
        if (!NativeLibrary.TryLoad("torch_cpu", typeof(torch).Assembly, null, out IntPtr library)
            && !NativeLibrary.TryLoad(OperatingSystem.IsWindows() ? "torch_cpu.dll" : "libtorch_cpu.so", out library))
        {
            throw new InvalidOperationException(
                "Microsoft.ML.Dvn could not find libtorch_cpu to switch off oneDNN convolutions, which return NaN " +
                "at some channel counts. Make sure the TorchSharp runtime package (TorchSharp-cpu) is referenced.");
        }
        var globalContext = (delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(library, "_ZN2at13globalContextEv");
        var setUserEnabledMkldnn = (delegate* unmanaged<IntPtr, byte, void>)NativeLibrary.GetExport(
            library, "_ZN2at7Context20setUserEnabledMkldnnEb");
        setUserEnabledMkldnn(globalContext(), 0);
    }

    private static string LoadFailureMessage(Exception e)
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

    private static string FirstLine(string text)
    {
        int end = text.IndexOf('\n');
        return end < 0 ? text : text[..end].TrimEnd();
    }
}
