using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>MLContext.GpuDeviceId and FallbackToCpu at fit and at load, on a machine without CUDA.</summary>
[TestClass]
public sealed class DeviceSelectionTests
{
    [TestInitialize]
    public void RequireNoCuda()
    {
        if (TorchSharp.torch.cuda.is_available())
            Assert.Inconclusive("this machine has CUDA");
    }

    private static List<string> Warnings(MLContext ml)
    {
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.RawMessage); };
        return warnings;
    }

    private static IEstimator<ITransformer> Pipeline(MLContext ml, DvnEstimator.Options options) =>
        ml.Transforms.Conversion.MapValueToKey("Task").Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.Dvn(options));

    [TestMethod]
    public void AGpuRequestedByTheContextFallsBackToTheCpuWithAWarningWhenAllowed()
    {
        var ml = new MLContext(1) { GpuDeviceId = 0, FallbackToCpu = true };
        var warnings = Warnings(ml);
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(20, 1));

        var model = Pipeline(ml, MlNetTasks.Options(epochs: 1)).Fit(data);

        Assert.AreEqual(60, MlNetTasks.Column<uint>(model.Transform(data), "Level").Count);
        Assert.IsTrue(warnings.Any(w => w.Contains("MLContext.GpuDeviceId asks for CUDA device 0, but TorchSharp finds no CUDA device; " +
                                                   "MLContext.FallbackToCpu is true, so the DVN runs on the CPU")), string.Join("\n", warnings));
    }

    [TestMethod]
    public void AGpuRequestedByTheContextFailsClearlyWithoutFallback()
    {
        var ml = new MLContext(1) { GpuDeviceId = 1, FallbackToCpu = false };
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(20, 1));

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Pipeline(ml, MlNetTasks.Options(epochs: 1)).Fit(data));

        StringAssert.Contains(error.Message, "MLContext.GpuDeviceId asks for CUDA device 1, but TorchSharp finds no CUDA device");
        StringAssert.Contains(error.Message, "MLContext.FallbackToCpu = true");
    }

    [TestMethod]
    public void TheOptionsDeviceIndexIsNamedAndCheckedAndAutoTakesTheCpuSilently()
    {
        var ml = new MLContext(1);
        var warnings = Warnings(ml);
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(20, 1));
        var cuda = MlNetTasks.Options(epochs: 1);
        cuda.Device = DvnDevice.Cuda;
        cuda.GpuDeviceId = 3;
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => Pipeline(ml, cuda).Fit(data)).Message,
            "DvnEstimator.Options.GpuDeviceId asks for CUDA device 3");

        var negative = MlNetTasks.Options(epochs: 1);
        negative.GpuDeviceId = -1;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.Dvn(negative)).Message,
            "GpuDeviceId is -1");

        var auto = MlNetTasks.Options(epochs: 1);
        auto.Device = DvnDevice.Auto;
        auto.GpuDeviceId = 2;
        Pipeline(ml, auto).Fit(data);
        Assert.AreEqual(0, warnings.Count, string.Join("\n", warnings));
    }

    [TestMethod]
    public void TheLoadingContextsGpuRequestAndFallbackApplyAtLoad()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(20, 1));
        var model = Pipeline(ml, MlNetTasks.Options(epochs: 1)).Fit(data);
        var zip = ModelZip.Save(ml, model, data.Schema);

        var strict = new MLContext { GpuDeviceId = 0, FallbackToCpu = false };
        // ML.NET's loader wraps what a transformer's loader throws; the innermost message is the DVN's.
        var error = Assert.Throws<Exception>(() => strict.Model.Load(new MemoryStream(zip), out _));
        StringAssert.Contains(ModelZip.Messages(error), "| MLContext.GpuDeviceId asks for CUDA device 0, but TorchSharp finds no CUDA device");
        Assert.IsFalse(ModelZip.Messages(error).Contains("cannot be loaded"), "a device problem is not called a damaged file");

        var lenient = new MLContext { GpuDeviceId = 0, FallbackToCpu = true };
        var warnings = Warnings(lenient);
        var loaded = lenient.Model.Load(new MemoryStream(zip), out _);
        CollectionAssert.AreEqual(MlNetTasks.Column<uint>(model.Transform(data), "PredictedLabel"), MlNetTasks.Column<uint>(loaded.Transform(data), "PredictedLabel"));
        Assert.IsTrue(warnings.Any(w => w.Contains("runs on the CPU")), string.Join("\n", warnings));
    }
}
