namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// MKL's conditional numerical reproducibility. MKL's sgemm picks kernels by buffer alignment unless told otherwise:
/// measured here, the same small matrix product on the same inputs gave two different results over 300 runs (last
/// bits). Mode AUTO (the best code path of this CPU, the same every run) makes equal inputs give equal bits, which the
/// seed and save/load guarantees rely on. libtorch_cpu links MKL statically and exports its setter where it has MKL;
/// the setter must run before MKL's first computation, and is refused (non-zero) otherwise.
/// </summary>
internal static class MklReproducibility
{
    private const int Auto = 2;
    private const int CurrentMode = 1;

    /// <summary>Requests mode AUTO; returns the mode MKL reports afterwards (null: no MKL setting exported).</summary>
    public static unsafe bool? TryRequest(NativePlatform platform)
    {
        IntPtr set = platform.Export("mkl_serv_cbwr_set");
        if (set == IntPtr.Zero)
            return null;
        ((delegate* unmanaged<int, int>)set)(Auto);
        return IsOn(platform);
    }

    /// <summary>Whether MKL runs in mode AUTO (null: no MKL setting exported).</summary>
    public static unsafe bool? IsOn(NativePlatform platform)
    {
        IntPtr get = platform.Export("mkl_serv_cbwr_get");
        return get == IntPtr.Zero ? null : ((delegate* unmanaged<int, int>)get)(CurrentMode) == Auto;
    }
}
