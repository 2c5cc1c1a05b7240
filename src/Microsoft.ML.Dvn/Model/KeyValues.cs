using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Model;

/// <summary>
/// The values behind a key column (the KeyValues annotation MapValueToKey writes), kept with the model so that
/// PredictedLabel carries them (MapKeyToValue gives back the original label) and messages can name a task.
/// Text and the common number types are kept; keys of other value types lose their values (keys still work).
/// </summary>
internal sealed class KeyValues
{
    private static readonly PrimitiveDataViewType[] Supported =
    {
        TextDataViewType.Instance, NumberDataViewType.Single, NumberDataViewType.Double, NumberDataViewType.Int32,
        NumberDataViewType.Int64, NumberDataViewType.UInt32, NumberDataViewType.UInt64, BooleanDataViewType.Instance,
    };

    /// <param name="itemType">The value type: one of text, Single, Double, Int32, Int64, UInt32, UInt64, Boolean.</param>
    /// <param name="values">The values, key k at index k-1; strings for text, otherwise an array of the raw type.</param>
    public KeyValues(PrimitiveDataViewType itemType, Array values)
    {
        if (!Supported.Contains(itemType))
            throw new ArgumentException($"Key values of type {itemType} are not supported.", nameof(itemType));
        ItemType = itemType;
        Values = values;
    }

    public PrimitiveDataViewType ItemType { get; }

    /// <summary>Key k's value at index k-1: string for text, the raw type otherwise.</summary>
    public Array Values { get; }

    public int Count => Values.Length;

    /// <summary>The key values of a column, or null when it has none of a supported type.</summary>
    public static KeyValues? Of(DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(AnnotationKind);
        if (annotation?.Type is not VectorDataViewType { ItemType: PrimitiveDataViewType itemType } || !Supported.Contains(itemType))
            return null;
        if (itemType is TextDataViewType)
        {
            var text = Read<ReadOnlyMemory<char>>(column);
            return new KeyValues(itemType, text.Select(t => t.ToString()).ToArray());
        }
        var raw = itemType.RawType;
        var read = typeof(KeyValues).GetMethod(nameof(Read), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        return new KeyValues(itemType, (Array)read.MakeGenericMethod(raw).Invoke(null, new object[] { column })!);
    }

    /// <summary>
    /// Adds these values as an annotation of a column: its KeyValues by default, or another annotation of the same
    /// shape (a score column's TrainingLabelValues).
    /// </summary>
    public void AddTo(DataViewSchema.Annotations.Builder builder, string kind = AnnotationKind)
    {
        if (ItemType is TextDataViewType)
        {
            var text = ((string[])Values).Select(s => s.AsMemory()).ToArray();
            builder.Add(kind, new VectorDataViewType(TextDataViewType.Instance, Count), Getter(text));
            return;
        }
        var add = typeof(KeyValues).GetMethod(nameof(AddTyped), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        add.MakeGenericMethod(ItemType.RawType).Invoke(this, new object[] { builder, kind });
    }

    /// <summary>Adds these values, as text, as slot names (for a score vector over the keys).</summary>
    public void AddAsSlotNamesTo(DataViewSchema.Annotations.Builder builder)
    {
        var names = Enumerable.Range(1, Count).Select(k => Describe((ulong)k).AsMemory()).ToArray();
        builder.AddSlotNames(Count, Getter(names));
    }

    /// <summary>Key <paramref name="key"/>'s value as text, for messages.</summary>
    public string Describe(ulong key) =>
        key >= 1 && key <= (ulong)Count ? Convert.ToString(Values.GetValue((long)key - 1), System.Globalization.CultureInfo.InvariantCulture) ?? "" : $"#{key}";

    private const string AnnotationKind = "KeyValues";

    private void AddTyped<T>(DataViewSchema.Annotations.Builder builder, string kind) =>
        builder.Add(kind, new VectorDataViewType(ItemType, Count), Getter((T[])Values));

    private static T[] Read<T>(DataViewSchema.Column column)
    {
        var values = default(VBuffer<T>);
        column.GetKeyValues(ref values);
        return values.DenseValues().ToArray();
    }

    private static ValueGetter<VBuffer<T>> Getter<T>(T[] values) =>
        (ref VBuffer<T> destination) => new VBuffer<T>(values.Length, (T[])values.Clone()).CopyTo(ref destination);
}
