using System.Globalization;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>
/// The one exception type a model file that cannot be loaded produces: <see cref="InvalidDataException"/>, with a
/// message that names the field (as <c>section.field</c>), the value found and what was expected.
/// </summary>
internal static class InvalidModel
{
    public static InvalidDataException Error(string why, Exception? inner = null) =>
        new($"The DVN model cannot be loaded: {why}. The file is damaged, or it was not written by Microsoft.ML.Dvn.", inner);

    /// <summary>A field whose value is outside what the file's own structure allows.</summary>
    public static InvalidDataException Field(string field, object value, string expected) =>
        Error($"field '{field}' is {Format(value)}; expected {expected}");

    /// <summary>Throws <see cref="Field"/> unless <paramref name="valid"/>.</summary>
    public static void Require(bool valid, string field, object value, string expected)
    {
        if (!valid)
            throw Field(field, value, expected);
    }

    private static string Format(object value) =>
        value is IFormattable number ? number.ToString(null, CultureInfo.InvariantCulture) : value.ToString() ?? "";
}
