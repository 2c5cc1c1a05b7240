using System.Diagnostics;
using Microsoft.ML.Dvn.Persistence;

namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// Crafted model files (valid checksum, hostile fields) must fail fast with one exception type, InvalidDataException,
/// naming the field, without the reader allocating or looping for what they declare. Each load is bounded here (under a
/// second, under 100 MB of managed allocation and of peak resident memory growth): a bound on the hostile input, not a
/// speed measurement.
/// </summary>
[TestClass]
public sealed partial class HostileModelFileTests
{
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(1);
    private const long MaxBytes = 100L << 20;

    [ClassInitialize]
    public static void LoadTheValidModelOnce(TestContext _) => Assert.IsNotNull(Read(CraftedModel.Valid.File()));

    [TestMethod]
    public void TheCraftedValidModelLoadsWithWhatItDeclares()
    {
        var model = Read(CraftedModel.Valid.File());

        Assert.AreEqual(2, model.Network.NumberOfTasks);
        Assert.AreEqual(2, model.Network.NumberOfLevels);
        Assert.AreEqual("beta", model.Tasks.Values!.Describe(2));
        Assert.AreEqual(CraftedModel.Valid.TaskLevels[1][1].ParameterCount, model.Task(2).Levels[1].ParameterCount);
        Assert.AreEqual(CraftedModel.Valid.Weights.Sum(w => w.Values.Length), model.Network.StoredParameterCount);
    }

    [TestMethod]
    public void TheCraftedValidModelLoadsInFormatOneToo() =>
        Assert.AreEqual(CraftedModel.Valid.Weights.Sum(w => w.Values.Length), Read((CraftedModel.Valid with { Version = 1 }).File()).Network.StoredParameterCount);

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void EveryFieldAtZeroMinusOneMaxValueAndJustPastItsLimitFailsFastNamingTheFieldOrLoads(int format)
    {
        var failures = new List<string>();
        int count = 0;
        foreach (var (name, model, expected) in Cases())
        {
            // Format 1 has no unit order and no training methods: those cases are format 2's alone.
            if (format == 1 && (name.StartsWith("architecture.unitOrder", StringComparison.Ordinal) || name.EndsWith(" written", StringComparison.Ordinal)))
                continue;
            count++;
            var crafted = name.StartsWith("version", StringComparison.Ordinal) ? model : model with { Version = format };
            var (error, time, managed, resident) = Measure(() => Read(crafted.File()));
            if (time > MaxTime || managed > MaxBytes || resident > MaxBytes)
                failures.Add($"{name}: {time.TotalMilliseconds:F0} ms, {managed >> 20} MB allocated, {resident >> 20} MB resident");
            if (expected is null && error is not null)
                failures.Add($"{name}: should load, failed with {error.GetType().Name}: {error.Message}");
            else if (expected is not null && error is not InvalidDataException)
                failures.Add($"{name}: expected InvalidDataException naming '{expected}', got {error?.GetType().Name ?? "a model"}: {error?.Message}");
            else if (expected is not null && !error!.Message.Contains(expected, StringComparison.Ordinal))
                failures.Add($"{name}: the message does not name '{expected}': {error.Message}");
        }
        Assert.IsTrue(count >= 140, $"only {count} cases");
        Assert.AreEqual(0, failures.Count, string.Join(Environment.NewLine, failures));
    }

    [TestMethod]
    public void IntMaxValueUnitsWithOneLevelOfOneChannelFailsAtTheUnitsBeforeAnyAllocationRule()
    {
        var error = Rejects(CraftedModel.Valid with { Units = int.MaxValue, Levels = 1, HiddenLayerSizes = new[] { 1 } });
        StringAssert.Contains(error.Message, "field 'architecture.numberOfUnits' is 2147483647; expected 1 to 1");
    }

    [TestMethod]
    public void IntMaxValueUnitsInAsWideALayerFailOnTheMissingWeightsNotInTheAllocationRule()
    {
        var error = Rejects(CraftedModel.Valid with { Units = int.MaxValue, Levels = 1, HiddenLayerSizes = new[] { int.MaxValue } });
        StringAssert.Contains(error.Message, "'architecture' declare a network of at least 6442450941 stored numbers");
    }

    [TestMethod]
    public void AWideMlpDeclaredInAFewBytesFailsBeforeItsEightGigabytesAreAllocated()
    {
        var error = Rejects(CraftedModel.Valid with { HiddenLayerSizes = new[] { 32768 }, InputSize = 65536, Units = 2 });
        StringAssert.Contains(error.Message, "at least 2147483648 stored numbers in its shared layers (8589934592 bytes)");
    }

    [TestMethod]
    public void ATwentyByteStreamDeclaringTwoGigabytesFailsWithoutReadingThem()
    {
        var file = (CraftedModel.Valid with { PayloadLength = ModelLimits.MaxPayloadBytes }).File()[..20];
        StringAssert.Contains(Rejects(file).Message, "its payload (field 'payloadLength') is 2147483591 bytes, above the model size limit DvnRuntime.MaxModelBytes");
        long limit = DvnRuntime.MaxModelBytes;
        try
        {
            // With the model size limit raised as far as it goes, the bytes actually present stop the reader.
            DvnRuntime.MaxModelBytes = long.MaxValue;
            TruncatedTwoGigabyteStreamsFail(file);
        }
        finally
        {
            DvnRuntime.MaxModelBytes = limit;
        }
    }

    private static void TruncatedTwoGigabyteStreamsFail(byte[] file)
    {
        StringAssert.Contains(Rejects(file).Message, "it is truncated: it declares a payload of 2147483591 bytes");
        StringAssert.Contains(Rejects(file, seekable: false).Message, "it is truncated (0 of 2147483591 payload bytes");
        StringAssert.Contains(Rejects((CraftedModel.Valid with { PayloadLength = 1L << 31 }).File()[..20]).Message,
            "field 'payloadLength' is 2147483648");
    }

    [TestMethod]
    public void AHugeRowsPerTaskCountFailsBeforeTheListIsAllocated()
    {
        var error = Rejects(CraftedModel.Valid.WithCount("training.rowsPerTask", int.MaxValue));
        StringAssert.Contains(error.Message, "field 'training.rowsPerTask' claims 2147483647 entries");
    }

    [TestMethod]
    public void AHugeLevelCountFailsBeforeAnyLevelIsAllocated()
    {
        StringAssert.Contains(Rejects(CraftedModel.Valid with { Levels = int.MaxValue }).Message, "field 'architecture.numberOfLevels' is 2147483647");
        var wide = CraftedModel.Valid with { Levels = 1_000_000, Units = 1_000_000, HiddenLayerSizes = new[] { 1_000_000 } };
        StringAssert.Contains(Rejects(wide).Message, $"at most {ModelLimits.MaxTensors} are loaded");
    }

    [TestMethod]
    public void ALevelParameterCountThatWouldLetTheBudgetRuleRunALargerLevelIsRejected()
    {
        long smallest = CraftedModel.Valid.TaskLevels[0][0].ParameterCount;
        var error = Rejects(CraftedModel.Valid.WithLevel(0, 1, l => l with { ParameterCount = smallest }));
        StringAssert.Contains(error.Message, $"field 'tasks.levels[0][1].parameterCount' is {smallest}; expected {CraftedModel.Valid.TaskLevels[0][1].ParameterCount}");
    }

    [TestMethod]
    public void NonFiniteWeightsAreRejectedNamingTheTensor()
    {
        foreach (float value in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var error = Rejects(CraftedModel.Valid.WithWeight(2, w => w with { Values = w.Values.Select((v, i) => i == 1 ? value : v).ToArray() }));
            StringAssert.Contains(error.Message, $"field 'weights[2].values[1]' is {value} (in '{CraftedModel.Valid.Weights[2].Name}')");
        }
    }

    [TestMethod]
    public void ANegativeRunningVarianceIsRejectedNamingTheTensor()
    {
        // Finite, so the finiteness check passed it; its square root in prediction is NaN.
        int index = Array.FindIndex(CraftedModel.Valid.Weights, w => w.Name.EndsWith(".running_var", StringComparison.Ordinal));
        Assert.IsTrue(index >= 0, "the crafted model has no running variance");

        var error = Rejects(CraftedModel.Valid.WithWeight(index, w => w with { Values = w.Values.Select((v, i) => i == 1 ? -0.5f : v).ToArray() }));

        StringAssert.Contains(error.Message, $"field 'weights[{index}].values[1]' is -0.5 (in '{CraftedModel.Valid.Weights[index].Name}'); expected a running variance of at least 0");
        Assert.IsNotNull(Read(CraftedModel.Valid.WithWeight(index, w => w with { Values = w.Values.Select(_ => 0f).ToArray() }).File()), "a variance of 0 is valid");
    }

    [TestMethod]
    public void TheProcessSettingsAreAppliedOnlyAfterTheWholeFileHasPassedItsChecks()
    {
        int applied = 0;
        foreach (var hostile in new[]
                 {
                     CraftedModel.Valid with { PredictionBatchSize = 0 },
                     CraftedModel.Valid.WithWeight(0, w => w with { Values = w.Values.Select(_ => float.NaN).ToArray() }),
                     CraftedModel.Valid with { AfterPayload = new byte[] { 0 } },
                 })
            Assert.ThrowsExactly<InvalidDataException>(() => DvnModelFormat.Read(new MemoryStream(hostile.File()), () => applied++));
        Assert.AreEqual(0, applied, "a file that failed its checks applied the process settings");

        DvnModelFormat.Read(new MemoryStream(CraftedModel.Valid.File()), () => applied++).Network.Dispose();
        Assert.AreEqual(1, applied);
    }

    [TestMethod]
    public void TrailingBytesAnywhereAreRejected()
    {
        StringAssert.Contains(Rejects(CraftedModel.Valid with { AfterPayload = new byte[] { 0 } }).Message, "1 bytes follow the last value of the payload");
        var padded = CraftedModel.Valid.WithSection("architecture", Section(CraftedModel.Valid, "architecture").Append((byte)0).ToArray());
        StringAssert.Contains(Rejects(padded).Message, "1 bytes follow the last value of 'architecture'");
        StringAssert.Contains(Rejects(CraftedModel.Valid.File().Append((byte)0).ToArray()).Message, "bytes follow its checksum");
    }

    [TestMethod]
    public void AStoredAllocationThatDiffersFromTheRuleIsRejected()
    {
        var error = Rejects(CraftedModel.Valid.WithLevel(1, 0, l => l with { Units = new[] { 1 } }));
        StringAssert.Contains(error.Message, "field 'tasks.levels[1][0].units' is [1]; expected units 2 to 2, the allocation rule's units for network task 2 at level 1");
    }

    [TestMethod]
    public void SettingsFieldsAreFoundByNameAndAMissingOrUnknownFieldIsNamed()
    {
        var reordered = FieldBytes(("device", w => w.Write(0)), ("batchSize", w => w.Write(32)));
        Assert.AreEqual(new Model.PredictionSettings(32, DvnDevice.Auto), Read(CraftedModel.Valid.WithSection("prediction", reordered).File()).Prediction);

        StringAssert.Contains(Rejects(CraftedModel.Valid.WithSection("prediction", FieldBytes(("batchSize", w => w.Write(32))))).Message,
            "field 'prediction.device' is missing");
        var newer = FieldBytes(("batchSize", w => w.Write(32)), ("device", w => w.Write(1)), ("threads", w => w.Write(4)));
        StringAssert.Contains(Rejects(CraftedModel.Valid.WithSection("prediction", newer)).Message,
            "field 'prediction.threads' is not known to this Microsoft.ML.Dvn");
        var twice = FieldBytes(("batchSize", w => w.Write(32)), ("batchSize", w => w.Write(32)), ("device", w => w.Write(1)));
        StringAssert.Contains(Rejects(CraftedModel.Valid.WithSection("prediction", twice)).Message, "field 'prediction.batchSize' appears twice");
        var wide = FieldBytes(("batchSize", w => w.Write(32L)), ("device", w => w.Write(1)));
        StringAssert.Contains(Rejects(CraftedModel.Valid.WithSection("prediction", wide)).Message, "4 bytes follow the last value of 'prediction.batchSize'");
    }

    [TestMethod]
    public void AFieldAddedLaterReadsItsDefaultFromFilesWrittenBeforeIt()
    {
        var fields = FieldReader.Named(new PayloadReader(FieldBytes(("batchSize", w => w.Write(32)))));

        Assert.AreEqual(32, fields.Int32("batchSize"));
        Assert.AreEqual(4, fields.Get("threads", (r, f) => r.Int32(f), absent: () => 4));
        fields.End();
    }

    [TestMethod]
    public void AFormatOnePayloadCutShortNamesTheFieldWhereItEnds()
    {
        var format1 = CraftedModel.Valid with { Version = 1 };
        var file = format1.File();
        var payload = format1.Payload();

        StringAssert.Contains(Rejects(WithPayload(file, payload[..12])).Message, "field 'columns.label' is cut short");
        StringAssert.Contains(Rejects(WithPayload(file, payload[..^3])).Message, "field 'weights[24].values' needs 16 bytes, but 13 are left");
    }

    [TestMethod]
    public void SectionsOutOfOrderAreNamed()
    {
        var file = CraftedModel.Valid.File();
        var swapped = Swap(CraftedModel.Valid.Payload(), "columns", "prediction");
        var error = Rejects(WithPayload(file, swapped));
        StringAssert.Contains(error.Message, "field 'section name' is 'prediction'; expected 'columns'");
    }

    private static IEnumerable<(string Name, CraftedModel Model, string? Expected)> Cases()
    {
        var valid = CraftedModel.Valid;
        var edges = new[] { 0, -1, int.MaxValue };
        IEnumerable<(string, CraftedModel, string?)> Int(string field, int pastLimit, Func<int, CraftedModel> set, Func<int, string?> expected) =>
            edges.Append(pastLimit).Select(v => ($"{field} = {v}", set(v), expected(v)));
        Func<int, string?> Field(string field, params int[] valid) => v => valid.Contains(v) ? null : field;
        IEnumerable<(string, CraftedModel, string?)> Count(string field, string? named = null) =>
            new[] { -1, int.MaxValue }.Select(c => ($"{field} count = {c}", valid.WithCount(field, c), (string?)(named ?? field)));

        var cases = new List<(string, CraftedModel, string?)>();
        cases.AddRange(Int("prediction.batchSize", ModelLimits.MaxPredictionBatchSize + 1, v => valid with { PredictionBatchSize = v }, Field("prediction.batchSize")));
        cases.AddRange(Int("prediction.device", 3, v => valid with { Device = v }, Field("prediction.device", 0)));
        cases.AddRange(Int("training.numberOfEpochs", 0, v => valid with { Epochs = v }, Field("training.numberOfEpochs", int.MaxValue)));
        cases.AddRange(Int("training.batchSize", 1, v => valid with { TrainingBatchSize = v }, Field("training.batchSize", int.MaxValue)));
        foreach (double v in new[] { 0, -1, double.MaxValue, double.NaN, double.PositiveInfinity })
        {
            cases.Add(($"training.learningRate = {v}", valid with { LearningRate = v }, v == double.MaxValue ? null : "training.learningRate"));
            cases.Add(($"training.weightDecay = {v}", valid with { WeightDecay = v }, v is 0 or double.MaxValue ? null : "training.weightDecay"));
        }
        foreach (long v in new[] { 0, -1, long.MaxValue, long.MinValue })
            cases.Add(($"training.seed = {v}", valid with { Seed = v }, null));
        cases.AddRange(Count("training.rowsPerTask"));
        cases.Add(("training.rowsPerTask = []", valid with { RowsPerTask = Array.Empty<long>() }, "training.rowsPerTask"));
        cases.Add(("training.rowsPerTask one past", valid with { RowsPerTask = new long[] { 20, 30, 40 } }, "training.rowsPerTask"));
        (string, CraftedModel, string?) Method(string field, Action<BinaryWriter> value, string? expected) =>
            ($"training.{field} written", valid with { TrainingMethods = new (string, Action<BinaryWriter>)[] { (field, value) } }, expected);
        void Doubles(BinaryWriter w, params double[] values)
        {
            w.Write(values.Length);
            foreach (double v in values)
                w.Write(v);
        }
        cases.Add(Method("levelWeights", w => Doubles(w, 1, 0.5), null));
        cases.Add(Method("levelWeights", w => Doubles(w), "training.levelWeights"));
        cases.Add(Method("levelWeights", w => Doubles(w, 0, 0), "training.levelWeights"));
        cases.Add(Method("levelWeights", w => Doubles(w, 1, double.NaN), "training.levelWeights[1]"));
        cases.Add(Method("levelWeights", w => Doubles(w, -1, 1), "training.levelWeights[0]"));
        cases.Add(Method("levelWeights", w => w.Write(int.MaxValue), "training.levelWeights"));
        foreach (double v in new[] { 0, 1, -0.5, 1.5, double.NaN })
            cases.Add(Method("distillationWeight", w => w.Write(v), v is 0 or 1 ? null : "training.distillationWeight"));
        // Each enum's last value loads; one past it, -1 and the largest int are refused.
        foreach (var (field, count) in new[] { ("learningRateSchedule", 3), ("batchOrder", 2), ("taskOrder", 2) })
            foreach (int v in new[] { 1, count - 1, count, -1, int.MaxValue }.Distinct())
                cases.Add(Method(field, w => w.Write(v), v >= 0 && v < count ? null : $"training.{field}"));
        foreach (var order in new[] { new[] { 2, 1 }, new[] { 1, 1 }, new[] { 1 }, new[] { 1, 3 }, new[] { 0, 1 } })
            cases.Add(Method("tasksInUnitOrder", w => { w.Write(order.Length); foreach (int t in order) w.Write(t); },
                order.SequenceEqual(new[] { 2, 1 }) ? null : "training.tasksInUnitOrder"));
        cases.Add(Method("somethingNewer", w => w.Write(1), "training.somethingNewer"));
        foreach (long v in new[] { 0, -1, long.MaxValue })
            cases.Add(($"training.rowsPerTask[0] = {v}", valid with { RowsPerTask = new[] { v, 30 } }, v == long.MaxValue ? null : "training.rowsPerTask[0]"));

        cases.AddRange(Int("architecture.kind", 2, v => valid with { Kind = v }, Field("architecture.kind", 0)));
        cases.Add(("architecture.kind = 1 with an MLP's fields", valid with { Kind = 1 }, "architecture.imageHeight"));
        cases.AddRange(Int("architecture.imageHeight", 1, v => valid with { ImageHeight = v }, Field("architecture.imageHeight", 0)));
        cases.AddRange(Int("architecture.imageWidth", 1, v => valid with { ImageWidth = v }, Field("architecture.imageWidth", 0)));
        cases.AddRange(Int("architecture.imageChannels", 1, v => valid with { ImageChannels = v }, Field("architecture.imageChannels", 0)));
        cases.AddRange(Count("architecture.convolutionChannels"));
        cases.Add(("architecture.convolutionChannels one past", valid with { ConvolutionChannels = new[] { 4 } }, "architecture.convolutionChannels"));
        cases.AddRange(Count("architecture.hiddenLayerSizes"));
        cases.Add(("architecture.hiddenLayerSizes = []", valid with { HiddenLayerSizes = Array.Empty<int>() }, "architecture.hiddenLayerSizes"));
        cases.AddRange(Int("architecture.hiddenLayerSizes[0]", 5, v => valid with { HiddenLayerSizes = new[] { v } },
            v => v switch { int.MaxValue => "'architecture' declare a network of at least", 5 => "tasks.levels[0][0].parameterCount", _ => "architecture.hiddenLayerSizes[0]" }));
        cases.AddRange(Int("architecture.inputSize", 4, v => valid with { InputSize = v },
            v => v switch { int.MaxValue => "'architecture' declare a network of at least", 4 => "tasks.levels[0][0].parameterCount", _ => "architecture.inputSize" }));
        cases.AddRange(Int("architecture.numberOfUnits", 5, v => valid with { Units = v }, Field("architecture.numberOfUnits")));
        cases.AddRange(Int("architecture.numberOfLevels", 3, v => valid with { Levels = v }, Field("architecture.numberOfLevels")));
        cases.AddRange(Count("architecture.classCounts"));
        cases.Add(("architecture.classCounts = []", valid with { ClassCounts = Array.Empty<int>() }, "architecture.classCounts"));
        cases.Add(("architecture.classCounts one past", valid with { ClassCounts = new[] { 2, 3, 1 } }, "tasks.servedKeys"));
        cases.AddRange(Count("architecture.unitOrder"));
        foreach (var order in new[] { new[] { 1, 1 }, new[] { 1 }, new[] { 3, 1 }, new[] { 0, 1 }, new[] { 1, 2, 3 } })
            cases.Add(($"architecture.unitOrder = [{string.Join(", ", order)}]", valid with { UnitOrder = order }, "architecture.unitOrder"));
        // A valid order that is not the one the levels' units were allocated by.
        cases.Add(("architecture.unitOrder = [2, 1]", valid with { UnitOrder = new[] { 2, 1 } }, "tasks.levels"));
        cases.AddRange(Int("architecture.classCounts[0]", 3, v => valid with { ClassCounts = new[] { v, 3 } },
            v => v switch { int.MaxValue => "'architecture' declare a network of at least", 3 => "tasks.classes[0]", _ => "architecture.classCounts[0]" }));

        cases.AddRange(Int("keys.labels.count", ModelLimits.MaxKeys + 1, v => valid with { LabelKeys = v, LabelValues = null }, Field("keys.labels.count")));
        cases.Add(("keys.labels.count below a class key", valid with { LabelKeys = 4, LabelValues = null }, "tasks.classes[1][2]"));
        cases.Add(("keys.labels.values one short", valid with { LabelValues = valid.LabelValues![..4] }, "keys.labels.values"));
        cases.AddRange(Count("keys.labels.values"));
        cases.AddRange(Int("keys.tasks.count", ModelLimits.MaxKeys + 1, v => valid with { TaskKeys = v, TaskValues = null }, Field("keys.tasks.count")));
        cases.Add(("keys.tasks.count one past", valid with { TaskKeys = 3, TaskValues = null }, "tasks.servedKeys"));
        cases.Add(("keys.tasks.count one past, rows counted", valid with { TaskKeys = 3, TaskValues = null, RowsPerTask = new long[] { 20, 30, 40 } }, "tasks.servedKeys"));
        cases.AddRange(Count("keys.tasks.values"));

        cases.AddRange(Count("tasks.servedKeys"));
        cases.AddRange(Int("tasks.servedKeys[0]", 3, v => valid with { ServedKeys = new[] { v, 2 } }, Field("tasks.servedKeys[0]")));
        cases.Add(("tasks.servedKeys repeated", valid with { ServedKeys = new[] { 2, 2 } }, "tasks.servedKeys[1]"));
        cases.AddRange(Count("tasks.classes[0]"));
        cases.AddRange(Int("tasks.classes[0][0]", 6, v => valid with { Classes = new[] { new[] { v, 2 }, valid.Classes[1] } }, Field("tasks.classes[0][0]")));
        cases.Add(("tasks.classes repeated", valid with { Classes = new[] { new[] { 2, 2 }, valid.Classes[1] } }, "tasks.classes[0][1]"));
        cases.AddRange(Int("tasks.levels[0][0].level", 2, v => valid.WithLevel(0, 0, l => l with { Number = v }), Field("tasks.levels[0][0].level", 1)));
        long parameters = valid.TaskLevels[0][0].ParameterCount;
        foreach (long v in new[] { 0, -1, long.MaxValue, parameters + 1 })
            cases.Add(($"tasks.levels[0][0].parameterCount = {v}", valid.WithLevel(0, 0, l => l with { ParameterCount = v }), "tasks.levels[0][0].parameterCount"));
        cases.AddRange(Count("tasks.levels[0][0].units"));
        cases.AddRange(Int("tasks.levels[0][0].units[0]", 2, v => valid.WithLevel(0, 0, l => l with { Units = new[] { v } }), Field("tasks.levels[0][0].units")));
        cases.Add(("tasks.levels[0][0].units one past", valid.WithLevel(0, 0, l => l with { Units = new[] { 1, 2 } }), "tasks.levels[0][0].units"));

        cases.AddRange(Int("weights.count", valid.Weights.Length + 1, v => valid.WithCount("weights.count", v), Field("weights.count")));
        var shape = valid.Weights[0].Shape;
        cases.AddRange(Int("weights[0].shape[0]", shape[0] + 1, v => valid.WithWeight(0, w => w with { Shape = new[] { v, shape[1] } }),
            v => v is 0 or -1 ? "weights[0].shape" : "weights"));
        cases.Add(("weights[0].shape one dimension past", valid.WithWeight(0, w => w with { Shape = new[] { shape[0], shape[1], 1, 1, 1 } }), "weights[0].shape"));
        cases.Add(("weights[0].name", valid.WithWeight(0, w => w with { Name = "fc9.weight" }), "weights[0]"));
        cases.AddRange(Count("weights.shape", "weights[0].shape"));

        cases.AddRange(Int("version", 3, v => valid with { Version = v }, v => v is 0 or -1 ? "field 'version'" : "model format version"));
        long payload = valid.Payload().Length;
        foreach (long v in new[] { 0, -1, long.MaxValue, int.MaxValue, payload + 1 })
            cases.Add(($"payloadLength = {v}", valid with { PayloadLength = v }, v switch
            {
                0 => "bytes follow its checksum",
                -1 or long.MaxValue or int.MaxValue => "field 'payloadLength'",
                _ => "truncated",
            }));
        return cases;
    }

    private static Model.DvnModel Read(byte[] file, bool seekable = true) =>
        DvnModelFormat.Read(seekable ? new MemoryStream(file) : new ForwardOnlyStream(file));

    private static InvalidDataException Rejects(CraftedModel model) => Rejects(model.File());

    private static InvalidDataException Rejects(byte[] file, bool seekable = true)
    {
        var (error, time, managed, resident) = Measure(() => Read(file, seekable));
        Assert.IsInstanceOfType<InvalidDataException>(error, $"{error?.GetType().Name}: {error?.Message}");
        Assert.IsTrue(time < MaxTime && managed < MaxBytes && resident < MaxBytes,
            $"{time.TotalMilliseconds:F0} ms, {managed >> 20} MB allocated, {resident >> 20} MB more resident: {error.Message}");
        return (InvalidDataException)error;
    }

    /// <summary>Runs <paramref name="load"/>: its exception, time, managed bytes allocated and growth of peak resident memory.</summary>
    private static (Exception? Error, TimeSpan Time, long Managed, long Resident) Measure(Func<Model.DvnModel> load)
    {
        // Linux: writing 5 to clear_refs resets the peak resident size (VmHWM) to the current one.
        bool peak = File.Exists("/proc/self/clear_refs");
        if (peak)
            File.WriteAllText("/proc/self/clear_refs", "5");
        long residentBefore = StatusKilobytes(peak ? "VmHWM" : "VmRSS");
        long managedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        Exception? error = null;
        try
        {
            load().Network.Dispose();
        }
        catch (Exception e)
        {
            error = e;
        }
        clock.Stop();
        long managed = GC.GetAllocatedBytesForCurrentThread() - managedBefore;
        long resident = (StatusKilobytes(peak ? "VmHWM" : "VmRSS") - residentBefore) * 1024;
        return (error, clock.Elapsed, managed, resident);
    }

    private static long StatusKilobytes(string field)
    {
        if (!File.Exists("/proc/self/status"))
            return 0;
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    private static byte[] FieldBytes(params (string Name, Action<BinaryWriter> Value)[] fields)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(fields.Length);
        foreach (var (name, value) in fields)
        {
            using var field = new MemoryStream();
            using (var fieldWriter = new BinaryWriter(field, System.Text.Encoding.UTF8, leaveOpen: true))
                value(fieldWriter);
            writer.Write(name);
            writer.Write((int)field.Length);
            writer.Write(field.ToArray());
        }
        writer.Flush();
        return stream.ToArray();
    }

    // A section's contents in the crafted model's payload.
    private static byte[] Section(CraftedModel model, string name) => Sections(model.Payload()).Single(s => s.Name == name).Contents;

    private static List<(string Name, byte[] Contents)> Sections(byte[] payload)
    {
        var sections = new List<(string, byte[])>();
        using var reader = new BinaryReader(new MemoryStream(payload));
        while (reader.BaseStream.Position < payload.Length)
            sections.Add((reader.ReadString(), reader.ReadBytes(reader.ReadInt32())));
        return sections;
    }

    private static byte[] Swap(byte[] payload, string first, string second)
    {
        var sections = Sections(payload);
        int i = sections.FindIndex(s => s.Name == first), j = sections.FindIndex(s => s.Name == second);
        (sections[i], sections[j]) = (sections[j], sections[i]);
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        foreach (var (name, contents) in sections)
        {
            writer.Write(name);
            writer.Write(contents.Length);
            writer.Write(contents);
        }
        writer.Flush();
        return stream.ToArray();
    }

    // The file with its payload replaced, length and checksum recomputed.
    private static byte[] WithPayload(byte[] file, byte[] payload)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(file[..12]);
        writer.Write((long)payload.Length);
        writer.Write(payload);
        writer.Write(System.Security.Cryptography.SHA256.HashData(payload));
        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>A stream that cannot seek or tell its length, like a zip entry being inflated.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
