namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// The reader's bounds at their edges (the last value that loads and the first that does not) and the checks that only
/// a CNN, an extracted level or a cut section reaches. Every expected message and limit is worked out by hand here from
/// the format's documented rules, not taken from the reader.
/// </summary>
public sealed partial class HostileModelFileTests
{
    // A small CNN: one 4 x 8 image of 1 channel (32 features), two convolutions of 2 channels (4 x 8 -> 2 x 4 -> 1 x 2),
    // one hidden layer of 4, two tasks of 2 and 3 classes, 2 units, 2 levels.
    private static CraftedModel ValidCnn(int height = 4, int width = 8, params int[] convolutions) => (CraftedModel.Valid with
    {
        Kind = 1, ImageHeight = height, ImageWidth = width, ImageChannels = 1, InputSize = height * width,
        ConvolutionChannels = convolutions.Length == 0 ? new[] { 2, 2 } : convolutions,
    }).Consistent();

    [TestMethod]
    public void ACnnWhoseConvolutionsHalveTheImageToOnePixelLoadsAndOneConvolutionMoreIsRefusedOnEitherSide()
    {
        // 4 x 8 halved twice is 1 x 2: loads. Three times, the height is 0 (4 -> 2 -> 1 -> 0) while the width is still 1.
        Assert.AreEqual(32, Loaded(ValidCnn(), m => m.Network.InputSize));
        var tall = ValidCnn() with { ConvolutionChannels = new[] { 2, 2, 2 } };
        StringAssert.Contains(Rejects(tall).Message, "field 'architecture.convolutionChannels' is a list of 3; expected 1 or more convolutions, " +
                                                     "each halving the 4 x 8 image, down to at least 1 x 1");
        // The same with height and width exchanged: now the width runs out first.
        var wide = ValidCnn(8, 4) with { ConvolutionChannels = new[] { 2, 2, 2 } };
        StringAssert.Contains(Rejects(wide).Message, "field 'architecture.convolutionChannels' is a list of 3; expected 1 or more convolutions, " +
                                                     "each halving the 8 x 4 image, down to at least 1 x 1");
        var none = ValidCnn() with { ConvolutionChannels = Array.Empty<int>() };
        StringAssert.Contains(Rejects(none).Message, "field 'architecture.convolutionChannels' is a list of 0; expected 1 or more convolutions");
    }

    [TestMethod]
    public void ACnnsInputSizeMustBeItsChannelsTimesItsPixels()
    {
        // 1 channel x 4 x 8 = 32.
        foreach (int inputSize in new[] { 31, 33, 64 })
            StringAssert.Contains(Rejects(ValidCnn() with { InputSize = inputSize }).Message,
                $"field 'architecture.inputSize' is {inputSize}; expected 32 (channels x height x width)");
        // 2 channels: 2 x 4 x 8 = 64, and the image of 1 channel's 32 features is refused.
        StringAssert.Contains(Rejects(ValidCnn() with { ImageChannels = 2 }).Message,
            "field 'architecture.inputSize' is 32; expected 64 (channels x height x width)");
    }

    [TestMethod]
    public void AConvolutionOfNoChannelsIsRefusedNamingIt()
    {
        foreach (int width in new[] { 0, -1 })
        {
            var model = ValidCnn() with { ConvolutionChannels = new[] { 2, width } };
            StringAssert.Contains(Rejects(model).Message, $"field 'architecture.convolutionChannels[1]' is {width}; expected a width of at least 1");
        }
    }

    // A level extracted from a DVN: one task (the second of two task keys, 3 classes), one unit, one level, which keeps
    // the number and the units it had in that DVN.
    private static CraftedModel Extracted(int level, params int[] units) =>
        (CraftedModel.Valid with { ClassCounts = new[] { 3 }, Units = 1, Levels = 1, ServedKeys = new[] { 2 }, Classes = new[] { new[] { 3, 4, 5 } } })
        .Consistent().WithLevel(0, 0, l => l with { Number = level, Units = units });

    [TestMethod]
    public void AnExtractedLevelKeepsAnyContiguousRangeOfAtLeastItsNumberOfUnitsFromUnitOne()
    {
        foreach (var (level, units) in new[] { (1, new[] { 1 }), (3, new[] { 1, 2, 3 }), (3, new[] { 2, 3, 4, 5 }), (2, new[] { 7, 8, 9 }) })
        {
            var stored = Loaded(Extracted(level, units), m => m.Task(1).Levels[0]);
            Assert.AreEqual(level, stored.Level, $"level {level}");
            CollectionAssert.AreEqual(units, stored.Units, $"level {level}");
        }
    }

    [TestMethod]
    public void AnExtractedLevelWithNoNumberTooFewUnitsOrUnitsOutOfRangeIsRefused()
    {
        const string Expected = "expected a contiguous range of at least 3 units from unit 1 or later (level 3 of the DVN the model was extracted from)";
        StringAssert.Contains(Rejects(Extracted(0, 1)).Message, "field 'tasks.levels[0][0].level' is 0; expected at least 1");
        StringAssert.Contains(Rejects(Extracted(-1, 1)).Message, "field 'tasks.levels[0][0].level' is -1; expected at least 1");
        StringAssert.Contains(Rejects(Extracted(3, 1, 2)).Message, $"field 'tasks.levels[0][0].units' is [1, 2]; {Expected}");
        StringAssert.Contains(Rejects(Extracted(3, 0, 1, 2)).Message, $"field 'tasks.levels[0][0].units' is [0, 1, 2]; {Expected}");
        StringAssert.Contains(Rejects(Extracted(3, -1, 0, 1)).Message, $"field 'tasks.levels[0][0].units' is [-1, 0, 1]; {Expected}");
        StringAssert.Contains(Rejects(Extracted(3, 1, 3, 4)).Message, $"field 'tasks.levels[0][0].units' is [1, 3, 4]; {Expected}");
        StringAssert.Contains(Rejects(Extracted(3, 3, 2, 1)).Message, $"field 'tasks.levels[0][0].units' is [3, 2, 1]; {Expected}");
    }

    [TestMethod]
    public void ATasksSectionCutBeforeItsLevelsSaysHowManyLevelsItNeeds()
    {
        // The valid model's served keys and classes, then one level of the four (2 tasks x 2 levels): number, parameter
        // count, one unit: 4 + 8 + 4 + 4 = 20 bytes, fewer than four levels' 16 bytes each at the least.
        var level = CraftedModel.Valid.TaskLevels[0][0];
        var contents = Bytes(w =>
        {
            Ints(w, 1, 2);
            Ints(w, 1, 2);
            Ints(w, 3, 4, 5);
            w.Write(level.Number);
            w.Write(level.ParameterCount);
            Ints(w, level.Units);
        });
        StringAssert.Contains(Rejects(CraftedModel.Valid.WithSection("tasks", contents)).Message,
            "'tasks.levels' needs 2 x 2 levels, but only 20 bytes are left");
    }

    [TestMethod]
    public void ATensorPastTheDeclaredNumbersIsRefusedWhereverItIsAndOneShortIsCounted()
    {
        var valid = CraftedModel.Valid;
        int stored = valid.Weights.Sum(w => w.Values.Length);
        int last = valid.Weights.Length - 1;
        // The last tensor (a head's bias) one number longer: the tensors before it leave exactly its own count.
        var longer = valid.WithWeight(last, w => w with { Shape = new[] { w.Shape[0] + 1 }, Values = w.Values.Append(0f).ToArray() });
        Assert.AreEqual(1, valid.Weights[last].Shape.Length, "the last tensor is a bias");
        StringAssert.Contains(Rejects(longer).Message, $"tensor 'weights[{last}]' ('{valid.Weights[last].Name}') holds more numbers than the declared " +
                                                       $"network stores ({stored})");
        // One number shorter: the file holds one number less than the network stores.
        var shorter = valid.WithWeight(last, w => w with { Shape = new[] { w.Shape[0] - 1 }, Values = w.Values[..^1] });
        StringAssert.Contains(Rejects(shorter).Message, $"field 'weights' is {stored - 1} numbers; expected {stored}, what the declared network stores");
    }

    [TestMethod]
    public void EachLimitLoadsAtItsLastValueAndFailsOnePast()
    {
        var valid = CraftedModel.Valid;
        // A batch buffers 3 features + 3 classes = 6 values a row: 2^28 / 6 is above 2^16, so 65,536 rows is the limit.
        Assert.AreEqual(1, Loaded(valid with { PredictionBatchSize = 1 }, m => m.Prediction.BatchSize));
        Assert.AreEqual(65_536, Loaded(valid with { PredictionBatchSize = 65_536 }, m => m.Prediction.BatchSize));
        StringAssert.Contains(Rejects(valid with { PredictionBatchSize = 65_537 }).Message, "field 'prediction.batchSize' is 65537; expected 1 to 65536 rows");
        // 8,189 features + 3 classes = 8,192 = 2^13 values a row: 2^28 / 2^13 = 32,768 rows at most.
        var wide = (valid with { InputSize = 8189 }).Consistent();
        Assert.AreEqual(32_768, Loaded(wide with { PredictionBatchSize = 32_768 }, m => m.Prediction.BatchSize));
        StringAssert.Contains(Rejects(wide with { PredictionBatchSize = 32_769 }).Message,
            "field 'prediction.batchSize' is 32769; expected 1 to 32768 rows (a batch buffers 8192 values a row");

        // 2^24 label keys without values load; one more is refused.
        Assert.AreEqual(1 << 24, Loaded(valid with { LabelKeys = 1 << 24, LabelValues = null }, m => m.Labels.Count));
        StringAssert.Contains(Rejects(valid with { LabelKeys = (1 << 24) + 1, LabelValues = null }).Message,
            "field 'keys.labels.count' is 16777217; expected 1 to 16777216 keys");

        // A task seen on one row, and one level weight (an extracted level keeps its DVN's weights, any number of them).
        Assert.AreEqual(1, Loaded(valid with { RowsPerTask = new long[] { 1, 30 } }, m => m.Training.RowsPerTask[0]));
        var oneWeight = valid with { TrainingMethods = new (string, Action<BinaryWriter>)[] { ("levelWeights", w => { w.Write(1); w.Write(0.5); }) } };
        CollectionAssert.AreEqual(new[] { 0.5 }, Loaded(oneWeight, m => m.Training.LevelWeights.ToArray()));
    }

    // What a loaded model says, its native network freed before the test goes on.
    private static T Loaded<T>(CraftedModel model, Func<Model.DvnModel, T> get)
    {
        using var loaded = new DisposingModel(Read(model.File()));
        return get(loaded.Value);
    }

    private static void Ints(BinaryWriter writer, params int[] values)
    {
        writer.Write(values.Length);
        foreach (int value in values)
            writer.Write(value);
    }
}
