namespace Microsoft.ML.Dvn;

/// <summary>
/// What <see cref="DvnRuntime.Initialize"/> changed in the process. A setting the platform lacks (no glibc, a libtorch
/// that exports no switch, as on Windows) is reported as unchanged here, never as an exception.
/// </summary>
public sealed class DvnProcessSettings
{
    private readonly string _description;

    internal DvnProcessSettings(bool allocatorTuned, bool? oneDnnEnabled, bool? mklReproducible, string description)
    {
        AllocatorTuned = allocatorTuned;
        OneDnnEnabled = oneDnnEnabled;
        MklReproducible = mklReproducible;
        _description = description;
    }

    /// <summary>
    /// Whether glibc's allocator was tuned: mmap threshold 32 MiB and no heap trimming (<c>mallopt</c>). False with
    /// <c>DVN_MALLOC_TUNING=0</c> or where there is no glibc.
    /// </summary>
    public bool AllocatorTuned { get; }

    /// <summary>
    /// The oneDNN (mkldnn) switch of libtorch as the library set it (<c>DVN_ONEDNN=on|off|auto</c>); null where this
    /// libtorch exports no switch, so its own default applies.
    /// </summary>
    public bool? OneDnnEnabled { get; }

    /// <summary>
    /// Whether MKL runs in conditional numerical reproducibility mode AUTO (false: MKL had already computed before the
    /// request, so it refused); null where this libtorch exports no MKL setting.
    /// </summary>
    public bool? MklReproducible { get; }

    /// <summary>One line for a log: every setting and where it came from.</summary>
    public override string ToString() => _description;
}
