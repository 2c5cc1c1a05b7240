using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>
/// The keys section: the label column's keys and the task column's keys, each as its key count and, where the column
/// had them, the values behind the keys (text or a number type; its type code is the index in the table below).
/// </summary>
internal static class KeysSection
{
    public const string Name = "keys";

    // Type codes of key values, and the fewest bytes a value of each takes.
    private static readonly (PrimitiveDataViewType Type, int Bytes)[] ValueTypes =
    {
        (TextDataViewType.Instance, 1), (NumberDataViewType.Single, 4), (NumberDataViewType.Double, 8), (NumberDataViewType.Int32, 4),
        (NumberDataViewType.Int64, 8), (NumberDataViewType.UInt32, 4), (NumberDataViewType.UInt64, 8), (BooleanDataViewType.Instance, 1),
    };

    public static void Write(BinaryWriter writer, KeyDomain labels, KeyDomain tasks)
    {
        Write(writer, labels);
        Write(writer, tasks);
    }

    public static (KeyDomain Labels, KeyDomain Tasks) Read(PayloadReader reader)
    {
        var labels = Read(reader, "labels");
        var tasks = Read(reader, "tasks");
        return (labels, tasks);
    }

    private static void Write(BinaryWriter writer, KeyDomain keys)
    {
        writer.Write(keys.Count);
        var keyValues = keys.Values;
        writer.Write(keyValues is not null);
        if (keyValues is null)
            return;
        writer.Write(Array.FindIndex(ValueTypes, t => t.Type == keyValues.ItemType));
        writer.Write(keyValues.Count);
        foreach (var value in keyValues.Values)
        {
            switch (value)
            {
                case string s: writer.Write(s); break;
                case float f: writer.Write(f); break;
                case double d: writer.Write(d); break;
                case int i: writer.Write(i); break;
                case long l: writer.Write(l); break;
                case uint u: writer.Write(u); break;
                case ulong ul: writer.Write(ul); break;
                case bool b: writer.Write(b); break;
                default: throw new InvalidOperationException($"A key value of type {value?.GetType().Name} cannot be saved.");
            }
        }
    }

    private static KeyDomain Read(PayloadReader reader, string column)
    {
        int count = reader.Int32($"{column}.count");
        InvalidModel.Require(count >= 1 && count <= ModelLimits.MaxKeys, reader.Name($"{column}.count"), count, $"1 to {ModelLimits.MaxKeys} keys");
        if (!reader.Boolean($"{column}.hasValues"))
            return new KeyDomain(count, null);
        string field = $"{column}.values";
        int code = reader.Int32($"{field}.type");
        InvalidModel.Require(code >= 0 && code < ValueTypes.Length, reader.Name($"{field}.type"), code, $"a type code from 0 to {ValueTypes.Length - 1}");
        int valueCount = reader.Count(field, ValueTypes[code].Bytes);
        InvalidModel.Require(valueCount == count, reader.Name(field), $"a list of {valueCount}", $"one value for each of the {count} keys");
        Array values = code switch
        {
            0 => Read(valueCount, () => reader.String(field)),
            1 => Read(valueCount, () => reader.Single(field)),
            2 => Read(valueCount, () => reader.Double(field)),
            3 => Read(valueCount, () => reader.Int32(field)),
            4 => Read(valueCount, () => reader.Int64(field)),
            5 => Read(valueCount, () => reader.UInt32(field)),
            6 => Read(valueCount, () => reader.UInt64(field)),
            _ => Read(valueCount, () => reader.Boolean(field)),
        };
        return new KeyDomain(count, new KeyValues(ValueTypes[code].Type, values));
    }

    private static T[] Read<T>(int count, Func<T> read)
    {
        var values = new T[count];
        for (int i = 0; i < count; i++)
            values[i] = read();
        return values;
    }
}
