namespace Microsoft.ML.Dvn.Samples;

/// <summary>Small helpers for text meant for people.</summary>
internal static class Wording
{
    /// <summary>"1 epoch", "3 epochs".</summary>
    public static string Count(int count, string noun) => $"{count:N0} {noun}{(count == 1 ? "" : "s")}";
}
