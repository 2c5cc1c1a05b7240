namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>
/// The sweep that the study tests run in worker processes (test/Microsoft.ML.Dvn.SweepWorker) and in the test process:
/// the same data, search space and settings everywhere, and libtorch's default threads in every process of this
/// machine, so every process's results are bit-identical. (A thread count would be set for the whole test process,
/// and later tests compare predictions with child processes that have the default.)
/// </summary>
internal static class WorkerSweep
{
    public static DvnSearchSpace Space(double lowestRate = 3e-3) => new()
    {
        BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(24, 24), NumberOfEpochs = 12, BatchSize = 16 },
        LearningRate = DvnSearch.LogUniform(lowestRate, 3e-2),
        BatchSize = DvnSearch.Choice(8, 16),
        WeightDecay = DvnSearch.Fixed(0.0),
    };

    public static DvnSweepSettings Settings(DvnStudy? study, DvnSweepStrategy strategy) =>
        new() { Strategy = strategy, MaximumTrials = 6, Seed = 4, Study = study };

    /// <summary>Runs the sweep; every fit of a trial (the probe left out) is counted in <paramref name="fits"/>.</summary>
    public static DvnSweepResult Run(DvnStudy? study, DvnSweepStrategy strategy, List<int>? fits = null)
    {
        var ml = new MLContext(1);
        int calls = 0;
        var sweep = new DvnSweep(ml, options =>
        {
            if (Interlocked.Increment(ref calls) > 1)
                lock (ml)
                    fits?.Add(options.NumberOfEpochs);
            return MlNetTasks.Pipeline(ml, options);
        }, Space(), Settings(study, strategy));
        return sweep.Run(ml.Data.LoadFromEnumerable(MlNetTasks.Rows(150, seed: 2)));
    }

    /// <summary>The study a worker is given on its command line: "sqlite PATH" or "postgres CONNECTION", and the lease in seconds.</summary>
    public static DvnStudy Study(string database, string connection, double leaseSeconds) =>
        (database == "postgres" ? DvnStudy.PostgreSql(connection, "workers") : DvnStudy.Sqlite(connection, "workers"))
        with { Lease = TimeSpan.FromSeconds(leaseSeconds) };
}
