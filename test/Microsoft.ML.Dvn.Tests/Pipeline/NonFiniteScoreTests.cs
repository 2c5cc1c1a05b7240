using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Persistence;
using Microsoft.ML.Dvn.Tests.Persistence;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// Finite features can still overflow single precision inside the network (about 3e38 times a weight near 1 is
/// infinite, and softmax of an infinite logit is NaN): such a row must be an error naming it, not a NaN Score with the
/// first class as PredictedLabel.
/// </summary>
[TestClass]
public sealed class NonFiniteScoreTests
{
    private static readonly MLContext Ml = new(seed: 1);

    [TestMethod]
    [DataRow(-3e38f)]
    [DataRow(-float.MaxValue)]
    public void FeaturesThatOverflowInsideTheNetworkAreAnErrorNamingTheRow(float huge)
    {
        var rows = new[]
        {
            new Row { Features = new[] { 0.1f, 0.2f, 0.3f }, Task = 0 },
            new Row { Features = new[] { 0.4f, 0.5f, 0.6f }, Task = 1 },
            new Row { Features = new[] { huge, huge, huge }, Task = 0 },
        };
        var dvn = new DvnTransformer(Ml, DvnModelFormat.Read(new MemoryStream(CraftedModel.Valid.File())));

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => MlNetTasks.Column<uint>(dvn.Transform(Ml.Data.LoadFromEnumerable(rows)), "PredictedLabel"));

        StringAssert.Contains(error.Message, "Column 'Features', row 2: the prediction of task 'alpha' (key 1) at level 2 is not a number");
        StringAssert.Contains(error.Message, "Scale the features");
    }

    [TestMethod]
    public void OrdinaryFeaturesStillPredictEveryRow()
    {
        var rows = Enumerable.Range(0, 50).Select(i => new Row { Features = new[] { i * 1e3f, -i, 1f / (i + 1) }, Task = (uint)(i % 2) }).ToArray();
        var dvn = new DvnTransformer(Ml, DvnModelFormat.Read(new MemoryStream(CraftedModel.Valid.File())));

        var scores = MlNetTasks.Vectors(dvn.Transform(Ml.Data.LoadFromEnumerable(rows)), "Score");

        Assert.AreEqual(50, scores.Count);
        Assert.IsTrue(scores.All(s => s.All(float.IsFinite) && Math.Abs(s.Sum() - 1) < 1e-5));
    }

    private sealed class Row
    {
        [VectorType(3)]
        public float[] Features { get; set; } = Array.Empty<float>();

        /// <summary>LoadFromEnumerable stores a [KeyType] value v as key v + 1.</summary>
        [KeyType(2)]
        public uint Task { get; set; }
    }
}
