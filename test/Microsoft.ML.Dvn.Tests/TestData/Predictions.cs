namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>The four output columns of a transformed data view, read for comparison.</summary>
internal sealed record Predictions(List<float[]> Scores, List<string> Labels, List<uint> Levels, List<long> ParameterCounts)
{
    public static Predictions Of(IDataView output) => new(
        MlNetTasks.Vectors(output, "Score"),
        MlNetTasks.Column<ReadOnlyMemory<char>>(output, "PredictedLabel").Select(l => l.ToString()).ToList(),
        MlNetTasks.Column<uint>(output, "Level"),
        MlNetTasks.Column<long>(output, "ParameterCount"));

    /// <summary>Asserts bit-identical scores and identical labels, levels and parameter counts.</summary>
    public void AssertIdentical(Predictions other, string what)
    {
        Assert.AreEqual(Scores.Count, other.Scores.Count, $"{what}: row count");
        for (int i = 0; i < Scores.Count; i++)
            Assert.IsTrue(Scores[i].AsSpan().SequenceEqual(other.Scores[i]), $"{what}: row {i} scores differ");
        CollectionAssert.AreEqual(Labels, other.Labels, $"{what}: predicted labels");
        CollectionAssert.AreEqual(Levels, other.Levels, $"{what}: levels");
        CollectionAssert.AreEqual(ParameterCounts, other.ParameterCounts, $"{what}: parameter counts");
    }
}
