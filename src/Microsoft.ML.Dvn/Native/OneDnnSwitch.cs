namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// libtorch's process-wide oneDNN (mkldnn) switch, <c>at::globalContext().setUserEnabledMkldnn(bool)</c>. TorchSharp
/// 0.107 has no API for it; libtorch_cpu exports the C++ members under their Itanium-mangled names (Linux, macOS).
/// Where it does not (Windows builds use other names), the switch is missing: nothing is set and nothing throws.
/// </summary>
internal static class OneDnnSwitch
{
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetUserEnabled = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private const string UserEnabled = "_ZNK2at7Context17userEnabledMkldnnEv";

    /// <summary>Turns oneDNN on or off; false where the platform has no switch.</summary>
    public static unsafe bool TrySet(NativePlatform platform, bool enabled)
    {
        IntPtr context = platform.Export(GlobalContext), set = platform.Export(SetUserEnabled);
        if (context == IntPtr.Zero || set == IntPtr.Zero)
            return false;
        ((delegate* unmanaged<IntPtr, byte, void>)set)(((delegate* unmanaged<IntPtr>)context)(), enabled ? (byte)1 : (byte)0);
        return true;
    }

    /// <summary>The switch as libtorch's context says now; null where the platform has no switch.</summary>
    public static unsafe bool? Enabled(NativePlatform platform)
    {
        IntPtr context = platform.Export(GlobalContext), get = platform.Export(UserEnabled);
        if (context == IntPtr.Zero || get == IntPtr.Zero)
            return null;
        return ((delegate* unmanaged<IntPtr, byte>)get)(((delegate* unmanaged<IntPtr>)context)()) != 0;
    }
}
