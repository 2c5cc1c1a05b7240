using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples.Sweep;

/// <summary>
/// What the samples' sweep searches, for an MLP or a CNN: the search space (around the benchmark's backbones, with
/// the scenario's units or 6 so levels can be finer, and the training methods: schedule, distillation, batch order),
/// and the rows it uses (all training images, --rows a task, or 500 a task with --quick; the test images for --test-seeds).
/// </summary>
internal sealed record SweepPlan(string Architecture, int TrainRowsPerTask, int? TestRowsPerTask, int MaximumEpochs, DvnSearchSpace Space)
{
    public static SweepPlan Create(string architecture, bool quick, int? epochs, int? rowsPerTask = null)
    {
        int maximumEpochs = epochs ?? (quick ? 2 : 9);
        var space = new DvnSearchSpace
        {
            // The defaults a user starts from: the library's options with the benchmark's backbone.
            BaseOptions = new DvnEstimator.Options { Architecture = Architectures.Full(architecture) },
            LearningRate = DvnSearch.LogUniform(3e-4, 3e-3),
            BatchSize = DvnSearch.Choice(32, 64, 128),
            WeightDecay = DvnSearch.LogUniform(1e-6, 1e-4, includeZero: true),
            NumberOfEpochs = DvnSearch.Fixed(maximumEpochs),
            NumberOfUnits = DvnSearch.Choice(0, 6),
            LearningRateSchedule = DvnSearch.Choice(DvnLearningRateSchedule.Constant, DvnLearningRateSchedule.Cosine),
            DistillationWeight = DvnSearch.Choice(0.0, 0.5),
            BatchOrder = DvnSearch.Choice(DvnBatchOrder.RoundRobin, DvnBatchOrder.Proportional),
            Architecture = architecture == Architectures.Mlp
                ? DvnSearch.MlpWidths(layers: 2, minimumWidth: 120, maximumWidth: 480)
                : DvnSearch.Choice(Cnn(24, 48, 48), Cnn(48, 96, 96), Cnn(72, 144, 144)),
        };
        return new SweepPlan(architecture, rowsPerTask ?? (quick ? 500 : 20_000), quick ? 500 : null, maximumEpochs, space);
    }

    private static DvnArchitecture Cnn(int first, int second, int hidden) =>
        DvnArchitecture.Cnn(ImageSet.Side, ImageSet.Side, 1, new[] { first, second }, new[] { hidden });
}
