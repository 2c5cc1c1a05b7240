namespace Microsoft.ML.Dvn.Model;

/// <summary>A key column as the model knows it: how many keys it had in training and the values behind them, if any.</summary>
/// <param name="Count">Keys 1..Count.</param>
/// <param name="Values">The KeyValues annotation (key k's value at index k-1), or null where the column had none.</param>
internal sealed record KeyDomain(int Count, KeyValues? Values)
{
    /// <summary>A key as users know it: its value where the column had values, the key itself otherwise.</summary>
    public string Describe(ulong key) => Values is null ? $"{key}" : $"'{Values.Describe(key)}' (key {key})";

    /// <summary>A key's name: its value as text where the column had values, the key as text otherwise.</summary>
    public string Name(ulong key) => Values?.Describe(key) ?? key.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
