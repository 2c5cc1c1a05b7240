namespace Microsoft.ML.Dvn;

/// <summary>
/// The sizes a search space can give one task, known before any trial runs: the smallest level 1 and the largest top
/// level over the space's architectures, units and levels (their extremes: for <see cref="DvnSearch.MlpWidths"/> the
/// narrowest and the widest backbone). The frontier objective measures every trial against it.
/// </summary>
/// <param name="Smallest">Parameters of the smallest level 1 the space can build for the task.</param>
/// <param name="Largest">Parameters of the largest top level the space can build for the task.</param>
public sealed record DvnSizeRange(long Smallest, long Largest);
