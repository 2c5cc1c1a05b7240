namespace Microsoft.ML.Dvn.Samples;

/// <summary>
/// The backbones of docs/benchmarks.md. A level with m of the K units has m/K of every hidden width, and the
/// independent network of that level is the same backbone at that width.
/// </summary>
internal static class Architectures
{
    public const string Mlp = "mlp";
    public const string Cnn = "cnn";

    /// <summary>MLP 784-240-240; CNN conv(48)-conv(96)-fc(96).</summary>
    public static DvnArchitecture Full(string kind) => AtUnits(kind, 1, 1);

    /// <summary>
    /// The backbone at <paramref name="units"/> of <paramref name="ofUnits"/> units' widths: MLP 240m/K-240m/K;
    /// CNN conv(48m/K)-conv(96m/K)-fc(96m/K). K = 3 and K = 6 divide every width.
    /// </summary>
    public static DvnArchitecture AtUnits(string kind, int units, int ofUnits) => kind switch
    {
        Mlp => DvnArchitecture.Mlp(240 * units / ofUnits, 240 * units / ofUnits),
        Cnn => DvnArchitecture.Cnn(height: 28, width: 28, channels: 1,
            convolutionChannels: new[] { 48 * units / ofUnits, 96 * units / ofUnits }, hiddenLayerSizes: new[] { 96 * units / ofUnits }),
        _ => throw new UsageException($"Unknown architecture '{kind}'; expected {Mlp} or {Cnn}."),
    };
}
