using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// An output column read through a cursor as another type than its own fails naming the column, the type asked for and
/// the type it has (ML.NET's own columns fail the same way), not with an invalid cast from inside the library.
/// </summary>
[TestClass]
public sealed class OutputGetterTests
{
    [TestMethod]
    public void AnOutputColumnReadAsAnotherTypeNamesTheColumnAndBothTypes()
    {
        var trained = new TrainedPipeline(new MLContext(seed: 1), epochs: 1);
        var prefix = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)trained.Model).Take(3).ToArray());
        var scored = trained.Dvn.Transform(prefix.Transform(trained.Data));
        using var cursor = scored.GetRowCursor(scored.Schema);

        foreach (var (name, asked, has) in new[] { ("PredictedLabel", "Single", "UInt32"), ("ParameterCount", "Single", "Int64"), ("Level", "Single", "UInt32") })
        {
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<float>(scored.Schema[name]));
            Assert.AreEqual($"Column '{name}' cannot be read as {asked}; its getter is {has}.", error.Message);
        }
        var score = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<VBuffer<double>>(scored.Schema["Score"]));
        Assert.AreEqual("Column 'Score' cannot be read as VBuffer<Double>; its getter is VBuffer<Single>.", score.Message);
    }
}
