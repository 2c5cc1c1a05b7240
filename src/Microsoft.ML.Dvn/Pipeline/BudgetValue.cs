using System.Globalization;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// One budget as a row gave it, compared exactly with a level's cost: an Int64 budget stays a long (a double holds
/// integers exactly only up to 2^53), a floating-point one stays a double, and neither is ever rounded to float.
/// </summary>
internal readonly struct BudgetValue
{
    // 2^63 as a double: every long is below it.
    private const double TwoTo63 = 9223372036854775808.0;

    private readonly double _value;
    private readonly long _whole;
    private readonly bool _isWhole;

    private BudgetValue(double value, long whole, bool isWhole)
    {
        _value = value;
        _whole = whole;
        _isWhole = isWhole;
    }

    /// <summary>No budget: NaN.</summary>
    public static BudgetValue Missing => new(double.NaN, 0, false);

    public static BudgetValue Of(double value) => new(value, 0, false);

    public static BudgetValue Of(long value) => new(0, value, true);

    /// <summary>Whether the row gave no budget (NaN).</summary>
    public bool IsMissing => !_isWhole && double.IsNaN(_value);

    /// <summary>Whether a level costing <paramref name="cost"/> (parameters or bytes) fits: cost &lt;= budget, exactly.</summary>
    public bool Allows(long cost)
    {
        if (_isWhole)
            return cost <= _whole;
        // For an integer cost, cost <= b exactly when cost <= floor(b); floor(b) is a whole double, exact as a long below 2^63.
        if (_value >= TwoTo63)
            return true;
        return _value >= -TwoTo63 && cost <= (long)Math.Floor(_value);
    }

    /// <summary>Whether a level costing <paramref name="cost"/> (measured microseconds, finite) fits: cost &lt;= budget, exactly.</summary>
    public bool Allows(double cost)
    {
        if (!_isWhole)
            return cost <= _value;
        // For a whole budget w, cost <= w exactly when ceiling(cost) <= w.
        double ceiling = Math.Ceiling(cost);
        if (ceiling >= TwoTo63)
            return false;
        return ceiling < -TwoTo63 || (long)ceiling <= _whole;
    }

    /// <summary>The budget as the row gave it (shortest round-trip form, invariant culture).</summary>
    public override string ToString() => _isWhole
        ? _whole.ToString(CultureInfo.InvariantCulture)
        : _value.ToString("R", CultureInfo.InvariantCulture);
}
