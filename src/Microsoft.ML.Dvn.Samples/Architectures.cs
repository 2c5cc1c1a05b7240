namespace Microsoft.ML.Dvn.Samples;

/// <summary>
/// The backbones of docs/benchmarks.md. With K = 3 units, level j of a DVN has j/3 of every hidden width, and the
/// independent network of level j is the same backbone at that width.
/// </summary>
internal static class Architectures
{
    public const string Mlp = "mlp";
    public const string Cnn = "cnn";
    public const int Units = 3;

    /// <summary>MLP 784-240-240; CNN conv(48)-conv(96)-fc(96).</summary>
    public static DvnArchitecture Full(string kind) => AtLevel(kind, Units);

    /// <summary>The backbone at level j's widths: MLP 80j-80j; CNN conv(16j)-conv(32j)-fc(32j).</summary>
    public static DvnArchitecture AtLevel(string kind, int level) => kind switch
    {
        Mlp => DvnArchitecture.Mlp(80 * level, 80 * level),
        Cnn => DvnArchitecture.Cnn(height: 28, width: 28, channels: 1,
            convolutionChannels: new[] { 16 * level, 32 * level }, hiddenLayerSizes: new[] { 32 * level }),
        _ => throw new UsageException($"Unknown architecture '{kind}'; expected {Mlp} or {Cnn}."),
    };
}
