using System.Runtime.InteropServices;
using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Dvn.Tests.TestData;
using TorchSharp;

namespace Microsoft.ML.Dvn.Tests.Native;

[TestClass]
public sealed class DvnRuntimeTests
{
    [TestMethod]
    public void WhereThePlatformHasNoGlibcNorLibtorchSwitchesTheStartUpPathChangesNothingAndSaysSo()
    {
        var asked = new List<string>();
        var windowsLike = new NativePlatform(hasGlibc: false, symbol =>
        {
            asked.Add(symbol);
            return IntPtr.Zero;
        });

        var settings = TorchNative.ApplySettings(windowsLike);

        Assert.IsFalse(settings.AllocatorTuned);
        Assert.IsNull(settings.OneDnnEnabled);
        Assert.IsNull(settings.MklReproducible);
        StringAssert.Contains(settings.ToString(), "allocator: unchanged (no glibc mallopt here)");
        StringAssert.Contains(settings.ToString(), "oneDNN: libtorch's default (this libtorch exports no oneDNN switch)");
        StringAssert.Contains(settings.ToString(), "NNPACK: libtorch's default (this libtorch exports no NNPACK switch)");
        StringAssert.Contains(settings.ToString(), "MKL: unchanged (this libtorch exports no MKL setting)");
        CollectionAssert.Contains(asked, "_ZN2at7Context20setUserEnabledMkldnnEb", "the oneDNN switch was not looked up through the platform");
        Assert.AreEqual(settings.ToString(), TorchNative.ApplySettings(windowsLike).ToString(), "a second start-up must behave the same");
    }

    [TestMethod]
    [DataRow("maybe")]
    [DataRow("yes please")]
    public void ABadOneDnnValueIsAnErrorNamingTheVariableAndTheAcceptedValuesBeforeAnythingChanges(string value)
    {
        var asked = new List<string>();
        var platform = new NativePlatform(hasGlibc: false, symbol =>
        {
            asked.Add(symbol);
            return IntPtr.Zero;
        });
        string? before = Environment.GetEnvironmentVariable(TorchNative.OneDnnVariable);
        try
        {
            Environment.SetEnvironmentVariable(TorchNative.OneDnnVariable, value);
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => TorchNative.ApplySettings(platform));

            StringAssert.Contains(error.Message, $"The environment variable DVN_ONEDNN is '{value}'; expected on, off or auto");
            Assert.AreEqual(0, asked.Count, $"libtorch was asked for {string.Join(", ", asked)} before the value was checked");

            Environment.SetEnvironmentVariable(TorchNative.OneDnnVariable, "off");
            StringAssert.Contains(TorchNative.ApplySettings(platform).ToString(), "oneDNN: libtorch's default");
        }
        finally
        {
            Environment.SetEnvironmentVariable(TorchNative.OneDnnVariable, before);
        }
    }

    [TestMethod]
    public void AFailedFirstApplicationIsNotKeptTheNextCallAppliesAgainAndThenKeepsItsResult()
    {
        int calls = 0;
        var once = new OnceOnSuccess<string>(() => ++calls == 1 ? throw new InvalidOperationException("DVN_ONEDNN is 'maybe'") : $"applied at call {calls}");

        Assert.ThrowsExactly<InvalidOperationException>(() => once.Value);
        Assert.AreEqual("applied at call 2", once.Value);
        Assert.AreEqual("applied at call 2", once.Value);
        Assert.AreEqual(2, calls);
    }

    [TestMethod]
    public void AFailedNativeLoadIsNotKeptTheNextCallLoadsAndThenKeepsThePlatform()
    {
        int calls = 0;
        var loader = NativePlatform.Loader(() => ++calls == 1
            ? throw new InvalidOperationException("libLibTorchSharp.so needs GLIBCXX_3.4.32")
            : IntPtr.Zero);

        Assert.ThrowsExactly<InvalidOperationException>(() => loader.Value);
        var platform = loader.Value;

        Assert.AreSame(platform, loader.Value, "a loaded platform is kept");
        Assert.AreEqual(2, calls);
    }

    [TestMethod]
    public void InitializeReportsWhatThisProcessRunsWith()
    {
        var settings = DvnRuntime.Initialize();

        Assert.AreSame(settings, DvnRuntime.Initialize(), "the settings are applied once per process");
        Assert.AreEqual(OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(TorchNative.MallocTuningVariable) != "0",
            settings.AllocatorTuned);
        Assert.AreEqual(TorchNative.OneDnnEnabled, settings.OneDnnEnabled);
        Assert.AreEqual(TorchNative.MklReproducible, settings.MklReproducible);
    }

    [TestMethod]
    public void ReleaseFreedNativeMemoryGivesBackWhatTheAllocatorTuningKeeps()
    {
        if (!DvnRuntime.Initialize().AllocatorTuned)
            Assert.Inconclusive("the allocator is not tuned here (no glibc, or DVN_MALLOC_TUNING=0): glibc's own trimming applies");
        const long MiB = 1 << 20;
        DvnRuntime.ReleaseFreedNativeMemory();   // what earlier tests freed
        long before = PeakMemory.Resident();
        // 256 tensors of 1 MiB each, written: below the 32-MiB mmap threshold, so from malloc's heaps; then all freed.
        using (torch.NewDisposeScope())
            for (int i = 0; i < 256; i++)
                torch.ones(MiB / sizeof(float));
        long kept = PeakMemory.Resident();

        bool released = DvnRuntime.ReleaseFreedNativeMemory();
        long after = PeakMemory.Resident();

        Assert.IsTrue(kept - before > 192 * MiB, $"with the tuning, freed memory stays resident: {before / MiB} -> {kept / MiB} MiB");
        Assert.IsTrue(released);
        Assert.IsTrue(kept - after > 192 * MiB, $"given back: {kept / MiB} -> {after / MiB} MiB");
    }

    [TestMethod]
    public void NnpackIsOffExactlyWhereItCannotInitialize()
    {
        DvnRuntime.Initialize();
        var available = Marshal.GetDelegateForFunctionPointer<NnpackAvailable>(
            NativePlatform.Torch.Export("_ZN2at6native17_nnpack_availableEv"));

        Assert.AreEqual(available() != 0, TorchContextSwitches.NnpackEnabled(NativePlatform.Torch));
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate byte NnpackAvailable();

    [TestMethod]
    public void FitAndModelLoadingEachWriteTheProcessSettingsAsOneLogLine()
    {
        var lines = new List<string>();
        var ml = Logging(new MLContext(seed: 1), lines);
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(20, seed: 1));

        var model = MlNetTasks.Pipeline(ml, MlNetTasks.Options(epochs: 1)).Fit(data);

        Assert.AreEqual(1, lines.Count, string.Join("\n", lines));
        StringAssert.Contains(lines[0], DvnRuntime.Initialize().ToString());
        var zip = ModelZip.Save(ml, model, data.Schema);
        lines.Clear();
        Logging(new MLContext(), lines).Model.Load(new MemoryStream(zip), out _);
        Assert.AreEqual(1, lines.Count, string.Join("\n", lines));
    }

    [TestMethod]
    public void NumberOfThreadsReachesTrainingAndAPredictionOnAThreadThatRanLibtorchBefore()
    {
        int before = torch.get_num_threads();
        if (before < 2)
            Assert.Inconclusive("needs a machine where libtorch's default is at least 2 threads");
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(20, seed: 1));
        using var warmedUp = new ManualResetEventSlim();
        using var predict = new ManualResetEventSlim();
        PredictionEngine<TaskRow, LevelOnly>? engine = null;
        int server = 0;
        // A long-lived thread (a server's, say) that ran parallel libtorch work with libtorch's default count.
        var serverThread = new Thread(() =>
        {
            using (var x = torch.ones(512, 512))
            using (x.matmul(x))
                warmedUp.Set();
            predict.Wait();
            engine!.Predict(MlNetTasks.Rows(1, seed: 2)[0]);
            server = torch.get_num_threads();
        });
        serverThread.Start();
        warmedUp.Wait();
        try
        {
            var options = MlNetTasks.Options(epochs: 1);
            options.NumberOfThreads = 1;
            int training = 0;
            options.EpochCompleted = _ => training = torch.get_num_threads();

            var model = MlNetTasks.Pipeline(ml, options).Fit(data);
            engine = ml.Model.CreatePredictionEngine<TaskRow, LevelOnly>(model);
            predict.Set();
            serverThread.Join();

            Assert.AreEqual(1, training, "training ran with another thread count");
            Assert.AreEqual(1, DvnRuntime.NumberOfThreads);
            Assert.AreEqual(1, server, "the prediction on a thread that had run libtorch work kept that thread's old count");
        }
        finally
        {
            predict.Set();
            DvnRuntime.NumberOfThreads = before; // later tests run with the count they had
            DvnRuntime.NumberOfThreads = null;
        }
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-2)]
    public void ANumberOfThreadsBelowOneIsRefusedWithTheOptionsName(int threads)
    {
        var fromOptions = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            new MLContext().MulticlassClassification.Trainers.Dvn(new DvnEstimator.Options { NumberOfThreads = threads }));
        var fromRuntime = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DvnRuntime.NumberOfThreads = threads);

        StringAssert.Contains(fromOptions.Message, $"DvnEstimator.Options.NumberOfThreads is {threads}");
        StringAssert.Contains(fromRuntime.Message, $"DvnRuntime.NumberOfThreads is {threads}");
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(100_000)]
    [DataRow(int.MaxValue)]
    public void ANumberOfThreadsAboveFourAProcessorIsRefusedWithTheOptionsNameAndTheLimit(int aboveBy)
    {
        // libgomp ends the process when it cannot create a thread: the count must be refused before libtorch sees it.
        int threads = (int)Math.Min(int.MaxValue, 4L * Environment.ProcessorCount + aboveBy);
        int? before = DvnRuntime.NumberOfThreads;

        var fromOptions = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            new MLContext().MulticlassClassification.Trainers.Dvn(new DvnEstimator.Options { NumberOfThreads = threads }));
        var fromRuntime = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DvnRuntime.NumberOfThreads = threads);

        string expected = $"expected null (libtorch's default) or 1 to {4 * Environment.ProcessorCount} (4 a processor";
        StringAssert.Contains(fromOptions.Message, $"DvnEstimator.Options.NumberOfThreads is {threads}; {expected}");
        StringAssert.Contains(fromRuntime.Message, $"DvnRuntime.NumberOfThreads is {threads}; {expected}");
        Assert.AreEqual(before, DvnRuntime.NumberOfThreads);
        Assert.IsNotNull(new MLContext().MulticlassClassification.Trainers.Dvn(new DvnEstimator.Options { NumberOfThreads = 4 * Environment.ProcessorCount }));
    }

    private sealed class LevelOnly
    {
        public uint Level { get; set; }
    }

    private static MLContext Logging(MLContext ml, List<string> lines)
    {
        ml.Log += (_, e) =>
        {
            if (e.Message.Contains("DVN process settings:"))
                lock (lines)
                    lines.Add(e.Message);
        };
        return ml;
    }
}
