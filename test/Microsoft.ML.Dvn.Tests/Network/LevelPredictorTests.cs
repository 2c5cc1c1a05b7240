using Microsoft.ML.Dvn.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Network;

/// <summary>
/// <see cref="LevelPredictor"/> groups a batch's rows by (task, level) and runs each group in pieces that fit the
/// prediction memory limit. Whatever the grouping and the pieces, every row must get what the network computes for that
/// row alone (the oracle: <see cref="DvnNetwork.Forward"/> and softmax, one row at a time). The bytes a row needs are
/// worked out by hand: an MLP of 8 on 3 features, two units of 4, tasks of 2 and 5 classes; a level holds the
/// features, three tensors a hidden channel and two a class, 4 bytes each: (task 1, level 1) (3 + 12 + 4) x 4 = 76,
/// (2, 1) (3 + 12 + 10) x 4 = 100, (1, 2) (3 + 24 + 4) x 4 = 124, (2, 2) (3 + 24 + 10) x 4 = 148.
/// </summary>
[TestClass]
public sealed class LevelPredictorTests
{
    private const int Inputs = 3;
    private long _limitBefore;

    [TestInitialize]
    public void RememberTheLimit() => _limitBefore = DvnRuntime.MaxPredictionMemoryBytes;

    [TestCleanup]
    public void RestoreTheLimit() => DvnRuntime.MaxPredictionMemoryBytes = _limitBefore;

    [TestMethod]
    public void RowsThatDifferOnlyInTaskOrOnlyInLevelEachGetTheirOwnLevelsProbabilities()
    {
        using var network = Network();
        // No row differs from the first in both task and level, so a batch that looked uniform to a wrong test would be
        // run at (1, 1) throughout.
        AssertEveryRowAlone(network, tasks: new[] { 1, 2, 1, 2, 1 }, levels: new[] { 1, 1, 2, 1, 1 });
        AssertEveryRowAlone(network, tasks: new[] { 2, 2, 2 }, levels: new[] { 2, 1, 2 });
        AssertEveryRowAlone(network, tasks: new[] { 1, 2 }, levels: new[] { 2, 2 });
    }

    [TestMethod]
    public void AUniformBatchRunsInPiecesOfWhatFitsWithAShortLastPiece()
    {
        using var network = Network();
        // Three rows of (2, 2) fit 3 x 148 = 444 bytes: 10 rows run as 3 + 3 + 3 + 1.
        DvnRuntime.MaxPredictionMemoryBytes = 444;
        AssertEveryRowAlone(network, Enumerable.Repeat(2, 10).ToArray(), Enumerable.Repeat(2, 10).ToArray());
        // A limit of exactly one row: pieces of one.
        DvnRuntime.MaxPredictionMemoryBytes = 148;
        AssertEveryRowAlone(network, Enumerable.Repeat(2, 4).ToArray(), Enumerable.Repeat(2, 4).ToArray());
        // Mixed groups in pieces: (1, 1) takes 148 / 76 = 1 row a piece, (2, 2) one.
        AssertEveryRowAlone(network, new[] { 1, 2, 1, 2, 1 }, new[] { 1, 2, 1, 2, 1 });
    }

    [TestMethod]
    public void TheLevelOverTheLimitIsFoundEvenWhenItIsTheLastTasksLastLevel()
    {
        using var network = Network();
        var predictor = new LevelPredictor(network, CPU);
        DvnRuntime.MaxPredictionMemoryBytes = 148;
        Assert.IsNull(predictor.LevelOverLimit());

        DvnRuntime.MaxPredictionMemoryBytes = 147;
        const string Message = "Task 2, level 2 of this model needs 148 bytes of activations to predict a single row, more than the prediction " +
                               "memory limit DvnRuntime.MaxPredictionMemoryBytes (147 bytes). If the model is trusted and the memory is there, " +
                               "raise the limit before loading and predicting (DvnRuntime.MaxPredictionMemoryBytes = 148)";
        Assert.AreEqual(Message, predictor.LevelOverLimit());
        var error = Assert.ThrowsExactly<InvalidOperationException>(() =>
            predictor.Predict(Features(2), new[] { 2, 2 }, new[] { 2, 2 }, new float[2 * predictor.MaxClasses]));
        Assert.AreEqual(Message + ".", error.Message);
        // The other levels still fit and predict.
        AssertEveryRowAlone(network, new[] { 1, 2, 1 }, new[] { 2, 1, 1 });

        // Below (1, 1), the first level over the limit is task 1's level 1.
        DvnRuntime.MaxPredictionMemoryBytes = 75;
        StringAssert.StartsWith(predictor.LevelOverLimit(), "Task 1, level 1 of this model needs 76 bytes");
    }

    [TestMethod]
    public void ARowsProbabilitiesGoToItsStrideAndLeaveTheRestOfItAsItWas()
    {
        using var network = Network();
        var predictor = new LevelPredictor(network, CPU);
        Assert.AreEqual(5, predictor.MaxClasses);
        var probabilities = Enumerable.Repeat(-1f, 2 * 5).ToArray();

        predictor.Predict(Features(2), new[] { 1, 2 }, new[] { 1, 1 }, probabilities);

        // Task 1 has 2 classes: the last 3 values of its stride are untouched; task 2 fills its 5.
        CollectionAssert.AreEqual(new[] { -1f, -1f, -1f }, probabilities[2..5]);
        Assert.AreEqual(1f, probabilities[0] + probabilities[1], 1e-6f);
        Assert.AreEqual(1f, probabilities[5..].Sum(), 1e-5f);
    }

    private static DvnNetwork Network()
    {
        var network = new DvnNetwork(DvnArchitecture.Mlp(8), Inputs, new[] { 2, 5 }, new UnitAllocation(2, 2, 2), seed: 3);
        using (no_grad())
        {
            var generator = new Generator(4);
            foreach (var parameter in network.parameters())
                parameter.copy_(randn(parameter.shape, generator: generator));
        }
        network.eval();
        return network;
    }

    // Rows of distinct features, in a buffer longer than the batch (as the prediction buffers are).
    private static float[] Features(int rows) => Enumerable.Range(0, (rows + 2) * Inputs).Select(i => (float)Math.Sin(i * 1.7)).ToArray();

    private static void AssertEveryRowAlone(DvnNetwork network, int[] tasks, int[] levels)
    {
        var predictor = new LevelPredictor(network, CPU);
        var features = Features(tasks.Length);
        var probabilities = new float[tasks.Length * predictor.MaxClasses];

        predictor.Predict(features, tasks, levels, probabilities);

        for (int r = 0; r < tasks.Length; r++)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var row = tensor(features.AsSpan(r * Inputs, Inputs).ToArray(), new long[] { 1, Inputs });
            var expected = nn.functional.softmax(network.Forward(row, tasks[r], levels[r]), 1).data<float>().ToArray();
            for (int c = 0; c < expected.Length; c++)
                Assert.AreEqual(expected[c], probabilities[r * predictor.MaxClasses + c], 1e-6f, $"row {r} (task {tasks[r]}, level {levels[r]}), class {c}");
        }
    }
}
