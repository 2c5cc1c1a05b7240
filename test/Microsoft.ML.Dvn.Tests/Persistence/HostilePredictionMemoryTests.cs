using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Model;
using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Dvn.Persistence;
using Microsoft.ML.Dvn.Tests.TestData;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// A valid model file chooses its prediction batch size and its widths: a 3 MB CNN of 512 channels at 28 x 28 with a
/// batch of 160 rows would make one batch ask libtorch for over a gigabyte (512 x 784 floats a row for each of the
/// convolution's, normalization's and ReLU's outputs). Prediction must stay within
/// <see cref="DvnRuntime.MaxPredictionMemoryBytes"/> by running the batch in pieces, with the same results, and a
/// model of which one row alone needs more must fail fast, naming the limit and how to raise it.
/// </summary>
[TestClass]
public sealed class HostilePredictionMemoryTests
{
    private const int Rows = 160;
    private const long Limit = 64L << 20;
    private const long MaxGrowth = 100L << 20;

    private static readonly CraftedModel WideCnn = (CraftedModel.Valid with
    {
        Kind = 1,
        ImageHeight = 28,
        ImageWidth = 28,
        ImageChannels = 1,
        ConvolutionChannels = new[] { 512 },
        HiddenLayerSizes = new[] { 8 },
        InputSize = 784,
        PredictionBatchSize = Rows,
    }).Consistent();

    private long _limitBefore;

    [TestInitialize]
    public void RememberTheLimit() => _limitBefore = DvnRuntime.MaxPredictionMemoryBytes;

    [TestCleanup]
    public void RestoreTheLimit() => DvnRuntime.MaxPredictionMemoryBytes = _limitBefore;

    [TestMethod]
    public void TheDefaultLimitIsFiveHundredTwelveMebibytes() => Assert.AreEqual(512L << 20, _limitBefore);

    [TestMethod]
    [DataRow(false, true)]
    [DataRow(true, true)]
    [DataRow(false, false)]
    public void AWideCnnsLargeBatchRunsInPiecesWithinTheLimitAndGivesTheWholeBatchsResults(bool mixedLevels, bool oneDnn)
    {
        bool oneDnnBefore = TorchNative.OneDnnEnabled;
        try
        {
            Assert.IsTrue(TorchContextSwitches.TrySetOneDnn(NativePlatform.Torch, oneDnn), "this libtorch has no oneDNN switch");
            PredictsWithinTheLimit(mixedLevels);
        }
        finally
        {
            TorchContextSwitches.TrySetOneDnn(NativePlatform.Torch, oneDnnBefore);
        }
    }

    private static void PredictsWithinTheLimit(bool mixedLevels)
    {
        DvnRuntime.MaxPredictionMemoryBytes = Limit;
        var model = Read(WideCnn.File());
        var features = Features(Rows);
        var tasks = Enumerable.Range(0, Rows).Select(r => mixedLevels ? 1 + r % 2 : 2).ToArray();
        var levels = Enumerable.Range(0, Rows).Select(r => mixedLevels ? 1 + r / 2 % 2 : 2).ToArray();
        var probabilities = new float[Rows * model.Predictor.MaxClasses];
        Predict(model, features, tasks, levels, probabilities); // warm-up: libtorch's own one-time allocations

        var (growth, error) = PeakMemory.During(() => Predict(model, features, tasks, levels, probabilities));

        Assert.IsNull(error, error?.ToString());
        Assert.IsTrue(growth < MaxGrowth, $"peak resident memory grew by {growth >> 20} MB with a limit of {Limit >> 20} MB");
        // Oracle: the network's own forward pass, a few rows at a time, without the predictor.
        foreach (int r in new[] { 0, 1, 2, 3, 77, Rows - 1 })
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var row = tensor(features.AsSpan(r * 784, 784).ToArray(), new long[] { 1, 784 });
            var expected = nn.functional.softmax(model.Network.Forward(row, tasks[r], levels[r]), 1).data<float>().ToArray();
            for (int c = 0; c < expected.Length; c++)
                Assert.AreEqual(expected[c], probabilities[r * model.Predictor.MaxClasses + c], 1e-5, $"row {r}, class {c}");
        }
    }

    [TestMethod]
    public void AModelOfWhichOneRowNeedsMoreThanTheLimitFailsToLoadFastNamingTheLimit()
    {
        DvnRuntime.MaxPredictionMemoryBytes = 1L << 20;
        var file = WideCnn.File();
        var clock = Stopwatch.StartNew();

        var (growth, error) = PeakMemory.During(() => Read(file));

        clock.Stop();
        Assert.IsInstanceOfType<InvalidDataException>(error, error?.ToString());
        StringAssert.Contains(error.Message, "bytes of activations to predict a single row, more than the prediction memory limit DvnRuntime.MaxPredictionMemoryBytes (1048576 bytes)");
        StringAssert.Contains(error.Message, "raise the limit before loading and predicting (DvnRuntime.MaxPredictionMemoryBytes = ");
        Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(1) && growth < MaxGrowth, $"{clock.ElapsedMilliseconds} ms, {growth >> 20} MB");
    }

    [TestMethod]
    public void PredictingAfterTheLimitWasLoweredBelowOneRowFailsBeforeRunningNamingTheLimit()
    {
        var model = Read(WideCnn.File());
        DvnRuntime.MaxPredictionMemoryBytes = 1L << 20;

        var error = Assert.ThrowsExactly<InvalidOperationException>(() =>
            Predict(model, Features(2), new[] { 1, 1 }, new[] { 1, 1 }, new float[2 * model.Predictor.MaxClasses]));

        StringAssert.Contains(error.Message, "Task 1, level 1 of this model needs ");
        StringAssert.Contains(error.Message, "DvnRuntime.MaxPredictionMemoryBytes (1048576 bytes)");
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(-1L)]
    public void ALimitBelowOneByteIsRefusedNamingTheProperty(long limit)
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DvnRuntime.MaxPredictionMemoryBytes = limit);
        StringAssert.Contains(error.Message, $"DvnRuntime.MaxPredictionMemoryBytes is {limit}; expected at least 1 byte");
    }

    [TestMethod]
    public void MillionsOfLabelKeysWithoutValuesCostARowOnlyItsTasksClasses()
    {
        // 16,777,216 label keys cost the file 4 bytes; a dense Score would be a 64 MB buffer cleared for every row.
        var model = Read((CraftedModel.Valid with { LabelKeys = ModelLimits.MaxKeys, LabelValues = null }).File());
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 200).Select(i => new KeyedRow { Features = new[] { i * 0.1f, 1f, -1f }, Task = (uint)(i % 2) }).ToArray(); // LoadFromEnumerable stores v as key v + 1
        var scored = new DvnTransformer(ml, model).Transform(ml.Data.LoadFromEnumerable(rows));
        var clock = Stopwatch.StartNew();
        var scores = new List<(int Length, int[] Slots, float[] Values)>();

        var (growth, error) = PeakMemory.During(() =>
        {
            using var cursor = scored.GetRowCursor(new[] { scored.Schema["Score"] });
            var getter = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
            var score = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                getter(ref score);
                var explicitSlots = score.Items().Where(p => p.Value != 0).ToArray();
                scores.Add((score.Length, explicitSlots.Select(p => p.Key).ToArray(), explicitSlots.Select(p => p.Value).ToArray()));
            }
        });

        clock.Stop();
        Assert.IsNull(error, error?.ToString());
        Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(1) && growth < 32L << 20, $"{clock.ElapsedMilliseconds} ms, {growth >> 20} MB");
        Assert.AreEqual(200, scores.Count);
        for (int i = 0; i < scores.Count; i++)
        {
            Assert.AreEqual(ModelLimits.MaxKeys, scores[i].Length);
            // The crafted model's classes: task 1 has label keys 1 and 2, task 2 keys 3, 4 and 5 (slots 0-1 and 2-4).
            var allowed = i % 2 == 0 ? new[] { 0, 1 } : new[] { 2, 3, 4 };
            Assert.IsTrue(scores[i].Slots.All(allowed.Contains), $"row {i}: slots {string.Join(", ", scores[i].Slots)}");
            Assert.AreEqual(1f, scores[i].Values.Sum(), 1e-5f, $"row {i}");
        }
    }

    private sealed class KeyedRow
    {
        [VectorType(3)]
        public float[] Features { get; set; } = Array.Empty<float>();

        [KeyType(2)]
        public uint Task { get; set; }
    }

    private static DvnModel Read(byte[] file) => DvnModelFormat.Read(new MemoryStream(file));

    private static void Predict(DvnModel model, float[] features, int[] tasks, int[] levels, float[] probabilities) =>
        model.Predictor.Predict(features, tasks, levels, probabilities);

    private static float[] Features(int rows)
    {
        var random = new Random(5);
        return Enumerable.Range(0, rows * 784).Select(_ => (float)random.NextDouble()).ToArray();
    }
}
