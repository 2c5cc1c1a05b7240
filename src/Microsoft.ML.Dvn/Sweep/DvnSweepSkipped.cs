namespace Microsoft.ML.Dvn;

/// <summary>A combination of a grid that cannot train, and why.</summary>
/// <param name="Combination">The combination's values.</param>
/// <param name="Reason">What makes it invalid.</param>
public sealed record DvnSweepSkipped(string Combination, string Reason);
