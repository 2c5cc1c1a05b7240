namespace Microsoft.ML.Dvn.Persistence;

/// <summary>The encodings of the model payload that <see cref="BinaryWriter"/> has no method for; <see cref="PayloadReader"/> reads them.</summary>
internal static class PayloadWriter
{
    /// <summary>A list: its count, then the values.</summary>
    public static void WriteList(this BinaryWriter writer, IReadOnlyCollection<int> values)
    {
        writer.Write(values.Count);
        foreach (int value in values)
            writer.Write(value);
    }

    /// <inheritdoc cref="WriteList(BinaryWriter, IReadOnlyCollection{int})"/>
    public static void WriteList(this BinaryWriter writer, IReadOnlyCollection<long> values)
    {
        writer.Write(values.Count);
        foreach (long value in values)
            writer.Write(value);
    }

    /// <summary>A named block (a section, or a named field): its name, its length in bytes, then its bytes.</summary>
    public static void WriteNamed(this BinaryWriter writer, string name, Action<BinaryWriter> content)
    {
        using var buffer = new MemoryStream();
        using (var inner = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            content(inner);
        writer.Write(name);
        writer.Write(checked((int)buffer.Length));
        writer.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Named fields (format 2's settings sections): their count, then each as a named block.</summary>
    public static void WriteFields(this BinaryWriter writer, params (string Name, Action<BinaryWriter> Value)[] fields)
    {
        writer.Write(fields.Length);
        foreach (var (name, value) in fields)
            writer.WriteNamed(name, value);
    }
}
