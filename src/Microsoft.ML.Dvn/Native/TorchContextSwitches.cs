namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// Switches of libtorch's process-wide context (<c>at::globalContext()</c>) that TorchSharp 0.107 has no API for:
/// libtorch_cpu exports the C++ members under their Itanium-mangled names (Linux, macOS). Where it does not (Windows
/// builds use other names), a switch is missing: nothing is set and nothing throws.
/// </summary>
internal static class TorchContextSwitches
{
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetOneDnn = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private const string OneDnn = "_ZNK2at7Context17userEnabledMkldnnEv";
    private const string SetNnpack = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private const string Nnpack = "_ZNK2at7Context17userEnabledNNPACKEv";
    private const string NnpackAvailable = "_ZN2at6native17_nnpack_availableEv";

    /// <summary>Turns oneDNN (mkldnn) kernels on or off; false where the platform has no switch.</summary>
    public static bool TrySetOneDnn(NativePlatform platform, bool enabled) => TrySet(platform, SetOneDnn, enabled);

    /// <summary>The oneDNN switch as libtorch's context says now; null where the platform has no switch.</summary>
    public static bool? OneDnnEnabled(NativePlatform platform) => Get(platform, OneDnn);

    /// <summary>
    /// Where NNPACK cannot initialize (it rejects some CPUs as unsupported hardware), libtorch logs "Could not
    /// initialize NNPACK!" to stderr on every CPU convolution it considers for NNPACK: with oneDNN off, every inference
    /// convolution of a batch of 16 or more (measured: 221,600 lines in one long prediction run). Asking once whether
    /// it is available (one such line) and then switching it off where it is not stops that; where it is available,
    /// nothing changes. Returns whether NNPACK is on afterwards; null where the platform has no switch.
    /// </summary>
    public static unsafe bool? TurnOffNnpackWhereUnavailable(NativePlatform platform)
    {
        IntPtr available = platform.Export(NnpackAvailable);
        if (available == IntPtr.Zero || platform.Export(SetNnpack) == IntPtr.Zero || platform.Export(GlobalContext) == IntPtr.Zero)
            return null;
        if (((delegate* unmanaged<byte>)available)() != 0)
            return Get(platform, Nnpack);
        TrySet(platform, SetNnpack, false);
        return false;
    }

    /// <summary>The NNPACK switch as libtorch's context says now; null where the platform has no switch.</summary>
    public static bool? NnpackEnabled(NativePlatform platform) => Get(platform, Nnpack);

    private static unsafe bool TrySet(NativePlatform platform, string setter, bool enabled)
    {
        IntPtr context = platform.Export(GlobalContext), set = platform.Export(setter);
        if (context == IntPtr.Zero || set == IntPtr.Zero)
            return false;
        ((delegate* unmanaged<IntPtr, byte, void>)set)(((delegate* unmanaged<IntPtr>)context)(), enabled ? (byte)1 : (byte)0);
        return true;
    }

    private static unsafe bool? Get(NativePlatform platform, string getter)
    {
        IntPtr context = platform.Export(GlobalContext), get = platform.Export(getter);
        if (context == IntPtr.Zero || get == IntPtr.Zero)
            return null;
        return ((delegate* unmanaged<IntPtr, byte>)get)(((delegate* unmanaged<IntPtr>)context)()) != 0;
    }
}
