using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Sweep;

/// <summary>DvnSweepSettings.ParallelTrials: several trials at once in one process, with the same results as one at a time.</summary>
[TestClass]
public sealed class ParallelTrialsTests
{
    // The trials run with the count the test process already has: libtorch's thread count is process-wide in part
    // (DvnRuntime.NumberOfThreads), and later tests compare predictions with a child process that has the default.
    private static readonly int Threads = TorchSharp.torch.get_num_threads();

    [TestCleanup]
    public void ForgetTheThreadCount() => DvnRuntime.NumberOfThreads = null;

    private static DvnSweepResult Run(DvnSweepStrategy strategy, int parallel, List<int>? threadsSeen = null, Concurrency? concurrency = null)
    {
        var ml = new MLContext(1);
        var space = new DvnSearchSpace
        {
            BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12), NumberOfEpochs = 3, BatchSize = 16 },
            LearningRate = DvnSearch.LogUniform(3e-3, 3e-2),
            BatchSize = DvnSearch.Choice(16, 32),
            WeightDecay = DvnSearch.Fixed(0.0),
        };
        var sweep = new DvnSweep(ml, options =>
            {
                if (threadsSeen is not null)
                    lock (threadsSeen)
                        threadsSeen.Add(options.NumberOfThreads ?? 0);
                var pipeline = MlNetTasks.Pipeline(ml, options);
                return concurrency is null ? pipeline : new CountingFit(pipeline, concurrency);
            }, space,
            new DvnSweepSettings { Strategy = strategy, MaximumTrials = 6, Seed = 4, ParallelTrials = parallel, ThreadsPerTrial = Threads });
        return sweep.Run(ml.Data.LoadFromEnumerable(MlNetTasks.Rows(40, seed: 1)));
    }

    [TestMethod]
    [DataRow(DvnSweepStrategy.Random)]
    [DataRow(DvnSweepStrategy.Halving)]
    public void ParallelTrialsGiveTheResultsOfOneAtATime(DvnSweepStrategy strategy)
    {
        var threads = new List<int>();
        var alone = Run(strategy, parallel: 1);
        var concurrency = new Concurrency();
        var together = Run(strategy, parallel: 3, threads, concurrency);

        Assert.AreEqual(6, together.Trials.Count);
        CollectionAssert.AreEqual(alone.Trials.Select(t => (t.Id, t.Status, t.Epochs, t.Parameters)).ToArray(),
            together.Trials.Select(t => (t.Id, t.Status, t.Epochs, t.Parameters)).ToArray());
        for (int i = 0; i < alone.Trials.Count; i++)
            CollectionAssert.AreEqual(alone.Trials[i].Levels.ToArray(), together.Trials[i].Levels.ToArray(), $"trial {alone.Trials[i].Id}, bit for bit");
        Assert.IsTrue(threads.Skip(1).All(t => t == Threads), "every trial's fit runs with the sweep's thread count (after the probe)");
        Assert.IsTrue(concurrency.Most is >= 2 and <= 3, $"at most {concurrency.Most} fits ran at once; expected 2 or 3 (ParallelTrials)");
    }

    [TestMethod]
    public void SettingsOutOfRangeAreRejected()
    {
        var sweep = new DvnSweep(new MLContext(1), o => MlNetTasks.Pipeline(new MLContext(1), o), null, new DvnSweepSettings { ParallelTrials = 0 });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => sweep.Run(new MLContext(1).Data.LoadFromEnumerable(MlNetTasks.Rows(5, 1)))).Message,
            "ParallelTrials is 0; expected at least 1");
    }

    public sealed class Concurrency
    {
        private int _running;

        public int Most { get; private set; }

        public void Enter()
        {
            int now = Interlocked.Increment(ref _running);
            lock (this)
                Most = Math.Max(Most, now);
        }

        public void Leave() => Interlocked.Decrement(ref _running);
    }

    /// <summary>Counts the fits under way.</summary>
    private sealed class CountingFit(IEstimator<ITransformer> inner, Concurrency concurrency) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input)
        {
            concurrency.Enter();
            try
            {
                return inner.Fit(input);
            }
            finally
            {
                concurrency.Leave();
            }
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }
}
