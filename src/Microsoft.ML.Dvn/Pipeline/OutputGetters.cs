using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>Getters of the four new columns, reading row <c>current()</c> of a prediction batch.</summary>
internal static class OutputGetters
{
    public static ValueGetter<TValue> Create<TValue>(int output, string name, Func<PredictionBatch> batch, Func<int> current)
    {
        Delegate getter = output switch
        {
            BoundSchema.ScoreOutput => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => batch().Score(current(), ref value)),
            BoundSchema.PredictedLabelOutput => (ValueGetter<uint>)((ref uint value) => value = batch().PredictedLabel(current())),
            BoundSchema.LevelOutput => (ValueGetter<uint>)((ref uint value) => value = batch().Level(current())),
            BoundSchema.ParameterCountOutput => (ValueGetter<long>)((ref long value) => value = batch().ParameterCount(current())),
            _ => throw new ArgumentOutOfRangeException(nameof(output)),
        };
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
            $"Column '{name}' cannot be read as {Describe(typeof(TValue))}; its getter is {Describe(getter.GetType().GetGenericArguments()[0])}.");
    }

    // A type as C# writes it: VBuffer<Single>, not VBuffer`1.
    private static string Describe(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>"
        : type.Name;
}
