namespace Microsoft.ML.Dvn.Persistence;

/// <summary>
/// The fields of a settings section (columns, prediction, training), looked up by name.
/// </summary>
/// <remarks>
/// Format 2 stores every field of these sections with its name (<see cref="PayloadWriter.WriteFields"/>), so adding
/// a field is one line in the section's Write and one in its Read, next to each other: a file without the field reads
/// the default that Read gives, and a field this library does not know fails the load, naming it (a newer library
/// wrote the file). Format 1 stored the same values by position; <see cref="Positional"/> names them, so that one Read
/// serves both formats.
/// </remarks>
internal sealed class FieldReader
{
    // A field has at least a one-byte name length, a four-byte value length and an empty value.
    private const int SmallestField = 5;

    private readonly string _section;
    private readonly Dictionary<string, PayloadReader> _fields;

    private FieldReader(string section, Dictionary<string, PayloadReader> fields)
    {
        _section = section;
        _fields = fields;
    }

    /// <summary>Format 2: the field count, then every field as its name, its length and its value.</summary>
    public static FieldReader Named(PayloadReader section)
    {
        int count = section.Count("fields", SmallestField);
        var fields = new Dictionary<string, PayloadReader>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = section.String($"fields[{i}].name");
            var value = section.Part(name, section.Int32($"{name} (its length)"), section.Name(name));
            if (!fields.TryAdd(name, value))
                throw InvalidModel.Error($"field '{section.Name(name)}' appears twice");
        }
        return new FieldReader(section.Scope, fields);
    }

    /// <summary>Format 1: the fields in the order of <paramref name="layout"/>, each read by its parser.</summary>
    /// <param name="section">The section, named as its <see cref="PayloadReader.Scope"/>.</param>
    /// <param name="layout">Every field's name and parser.</param>
    public static FieldReader Positional(PayloadReader section, params (string Name, Action<PayloadReader, string> Parse)[] layout)
    {
        var fields = new Dictionary<string, PayloadReader>(StringComparer.Ordinal);
        foreach (var (name, parse) in layout)
            fields.Add(name, section.Parsed(section.Name(name), reader => parse(reader, name)));
        return new FieldReader(section.Scope, fields);
    }

    /// <summary>A field's value; <paramref name="absent"/> gives it for files without the field (null: the field is required).</summary>
    public T Get<T>(string name, Func<PayloadReader, string, T> read, Func<T>? absent = null)
    {
        if (!_fields.Remove(name, out var field))
            return absent is not null ? absent() : throw InvalidModel.Error($"field '{_section}.{name}' is missing");
        var value = read(field, "");
        field.End();
        return value;
    }

    public int Int32(string name) => Get(name, (r, f) => r.Int32(f));

    public long Int64(string name) => Get(name, (r, f) => r.Int64(f));

    public double Double(string name) => Get(name, (r, f) => r.Double(f));

    public string String(string name) => Get(name, (r, f) => r.String(f));

    /// <summary>Fails if the section has a field that no Get asked for.</summary>
    public void End()
    {
        if (_fields.Count > 0)
            throw InvalidModel.Error(
                $"field '{_section}.{_fields.Keys.First()}' is not known to this Microsoft.ML.Dvn " +
                $"({typeof(FieldReader).Assembly.GetName().Version}); a newer version wrote the file: upgrade the package to load it");
    }
}
