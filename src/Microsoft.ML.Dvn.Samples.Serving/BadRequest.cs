namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>A request the service refuses (HTTP 400), naming the field (<c>rows[2].features</c>) and what was expected.</summary>
public sealed class BadRequest(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}
