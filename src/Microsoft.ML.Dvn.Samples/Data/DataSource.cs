namespace Microsoft.ML.Dvn.Samples.Data;

/// <summary>Which images a command runs on: Fashion-MNIST when installed, generated stand-ins otherwise.</summary>
internal static class DataSource
{
    public const string FashionMnistName = "fmnist";
    public const string GeneratedName = "generated";

    /// <summary>The requested data, or Fashion-MNIST if installed and generated images if not (saying why).</summary>
    public static string Choose(string? requested)
    {
        if (requested is not null)
            return requested;
        if (FashionMnist.IsInstalled)
            return FashionMnistName;
        Console.WriteLine($"Fashion-MNIST is not installed ({FashionMnist.Directory}/ has no IDX files), so this run uses generated images.");
        Console.WriteLine($"For the real data set: {FashionMnist.InstallCommand}");
        return GeneratedName;
    }

    /// <summary>What loading the data is, for progress messages.</summary>
    public static string Describe(string name) => name == GeneratedName ? "Generating images" : "Loading Fashion-MNIST";

    public static FmnistThreeTasks Load(string name) => new(name switch
    {
        FashionMnistName => FashionMnist.Load(),
        GeneratedName => GeneratedImages.Create(),
        _ => throw new UsageException($"Unknown data '{name}'; expected {FashionMnistName} or {GeneratedName}."),
    });
}
