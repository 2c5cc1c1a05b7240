using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>A row's task key must mean the task it meant in training: tasks are bound by their names where both sides have them.</summary>
[TestClass]
public sealed class TaskBindingTests
{
    private static TrainedPipeline _trained = null!;

    [ClassInitialize]
    public static void Train(TestContext _) => _trained = new TrainedPipeline(new MLContext(seed: 1), epochs: 1);

    [TestMethod]
    public void TaskKeysMappedInAnotherOrderWithTheSameCountAreRejectedNamingTheColumnAndTheTasks()
    {
        var ml = _trained.Ml;
        // MapValueToKey numbers values in the order they first appear: gamma, alpha, beta here; alpha, beta, gamma in training.
        var rows = MlNetTasks.Rows(4, seed: 3).OrderBy(r => r.Task != "gamma").ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Task").Append(ml.Transforms.Conversion.MapValueToKey("Label")).Fit(data).Transform(data);

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _trained.Dvn.Transform(keyed));

        StringAssert.Contains(error.Message, "The task column 'Task' maps its keys to other tasks than in training");
        StringAssert.Contains(error.Message, "key 1 is 'gamma' here, 'alpha' in training");
        StringAssert.Contains(error.Message, "key 3 is 'beta' here, 'gamma' in training");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _trained.Dvn.GetOutputSchema(keyed.Schema));
    }

    [TestMethod]
    public void TaskKeysMappedByTheTrainingTransformerAreAccepted()
    {
        var prefix = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)_trained.Model).Take(3).ToArray());
        var rows = MlNetTasks.Rows(4, seed: 3).OrderBy(r => r.Task != "gamma").ToList();

        var levels = MlNetTasks.Column<uint>(_trained.Dvn.Transform(prefix.Transform(_trained.Ml.Data.LoadFromEnumerable(rows))), "Level");

        Assert.AreEqual(rows.Count, levels.Count);
    }

    [TestMethod]
    public void ATaskColumnWithoutKeyValuesIsBoundByItsKeyCount()
    {
        // LoadFromEnumerable stores a [KeyType] value v as key v + 1.
        var rows = MlNetTasks.Rows(4, seed: 3).Select(r => new KeyedRow { Features = r.Features, Task = (uint)Array.IndexOf(MlNetTasks.TaskNames, r.Task) });
        var data = _trained.Ml.Data.LoadFromEnumerable(rows);
        Assert.IsFalse(data.Schema["Task"].HasKeyValues());

        var levels = MlNetTasks.Column<uint>(_trained.Dvn.Transform(data), "Level");

        CollectionAssert.AreEqual(Enumerable.Repeat(3u, 12).ToArray(), levels.ToArray());
    }

    private sealed class KeyedRow
    {
        [VectorType(GeneratedTasks.FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        [KeyType(3)]
        public uint Task { get; set; }
    }
}
