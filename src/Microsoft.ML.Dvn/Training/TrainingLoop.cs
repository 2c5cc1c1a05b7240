using System.Diagnostics;
using Microsoft.ML.Dvn.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// Joint training of every task and every level (docs/method.md): for a mini-batch of task t, every level j of t's
/// virtual network runs and the <see cref="BatchObjective"/> (sum_j w_j loss_j) is minimised with one Adam step, so
/// the gradients of all levels meet in the shared weights. The tasks' batches follow each other in the settings'
/// <see cref="DvnBatchOrder"/>, and the learning rate follows its <see cref="DvnLearningRateSchedule"/>. After the
/// last epoch, every level's batch-norm statistics are recomputed from the final weights
/// (<see cref="NormalizationCalibration"/>).
/// </summary>
internal static class TrainingLoop
{
    /// <summary>Trains <paramref name="network"/> in place on the device its tensors and the task data live on.</summary>
    /// <param name="network">The network to train; left in inference mode.</param>
    /// <param name="batches">The rows of every task, cached or streamed.</param>
    /// <param name="settings">Epochs, batch size, optimizer settings, seed, loss and schedules.</param>
    /// <param name="validation">Optional rows of every task, for per-epoch validation accuracy.</param>
    /// <param name="progress">Called after every epoch.</param>
    /// <param name="cancellation">Checked before every batch.</param>
    /// <exception cref="DvnNumericException">A loss became NaN or infinite.</exception>
    public static void Train(DvnNetwork network, IBatchSource batches, DvnTrainingSettings settings,
        IReadOnlyList<TaskData>? validation, Action<DvnEpochReport>? progress, CancellationToken cancellation)
    {
        var objective = CheckArguments(network, batches, settings, validation);
        var allTasks = Enumerable.Range(1, network.NumberOfTasks).ToArray();
        var continuation = settings.Continuation;
        long steps = (long)(continuation?.ScheduleEpochs ?? settings.NumberOfEpochs) * BatchSchedule.CountPerEpoch(batches.RowCounts, settings.BatchSize), step = 0;
        var clock = Stopwatch.StartNew();

        using var optimizer = new AdamOptimizer(network.parameters(), settings.LearningRate, settings.WeightDecay);
        using var generator = new Generator((ulong)settings.Seed);
        int first = 1;
        if (continuation?.Resume is { } resume)
        {
            resume.Restore(network, optimizer, generator);
            (first, step) = (resume.Epoch + 1, resume.Step);
        }
        network.train();
        try
        {
            for (int epoch = first; epoch <= settings.NumberOfEpochs; epoch++)
            {
                var statistics = new EpochStatistics(network.NumberOfTasks, network.NumberOfLevels);
                foreach (var batch in batches.Pass(allTasks, settings.BatchSize, settings.BatchOrder, generator))
                    using (batch)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        using var scope = NewDisposeScope();
                        optimizer.LearningRate = LearningRates.At(settings.LearningRateSchedule, settings.LearningRate, step++, steps);
                        var result = TrainBatch(network, optimizer, batch.Rows.Features, batch.Rows.Labels, batch.Task, objective);
                        int bad = Array.FindIndex(result.Losses, l => !double.IsFinite(l));
                        if (bad >= 0)
                            throw new DvnNumericException(batch.Task, objective.Levels[bad], epoch, batch.Number, result.Losses[bad]);
                        for (int i = 0; i < objective.Levels.Count; i++)
                            statistics.Add(batch.Task, objective.Levels[i], result.Losses[i] * batch.Rows.RowCount, result.Correct[i], batch.Rows.RowCount);
                    }
                if (epoch == settings.NumberOfEpochs)
                {
                    if (continuation is not null)
                        continuation.Saved = TrainingCheckpoint.Capture(network, optimizer, generator, epoch, step);
                    NormalizationCalibration.Run(network, batches, settings.BatchSize, generator, cancellation);
                }
                progress?.Invoke(Report(network, epoch, settings, clock.Elapsed, statistics, validation));
            }
        }
        finally
        {
            network.eval();
        }
    }

    /// <summary>
    /// One optimizer step on one batch of <paramref name="task"/>: the batch objective of the given levels.
    /// When a level's loss is not finite, no step is taken and <see cref="BatchResult.IsFinite"/> is false.
    /// </summary>
    public static BatchResult TrainBatch(DvnNetwork network, AdamOptimizer optimizer, Tensor features, Tensor labels,
        int task, BatchObjective objective)
    {
        using var scope = NewDisposeScope();
        // Gradients set to none, not zero: Adam then skips the heads and normalizations of the other tasks and levels
        // instead of moving them on with their old momentum.
        network.zero_grad(set_to_none: true);
        var (total, crossEntropies, correct) = objective.Evaluate(network, features, labels, task);
        var result = new BatchResult(crossEntropies.Select(l => (double)l.item<float>()).ToArray(), correct.Select(c => c.item<long>()).ToArray());
        if (result.IsFinite)
        {
            total.backward();
            optimizer.Step();
        }
        return result;
    }

    /// <summary>The cross-entropy and the number of correct predictions of every trained level on one batch.</summary>
    public sealed record BatchResult(double[] Losses, long[] Correct)
    {
        public bool IsFinite => Losses.All(double.IsFinite);
    }

    private static DvnEpochReport Report(DvnNetwork network, int epoch, DvnTrainingSettings settings, TimeSpan elapsed,
        EpochStatistics statistics, IReadOnlyList<TaskData>? validation)
    {
        var levels = new List<DvnLevelProgress>();
        for (int t = 1; t <= network.NumberOfTasks; t++)
            for (int j = 1; j <= network.NumberOfLevels; j++)
            {
                if (!statistics.Has(t, j))
                    continue;
                double? validationAccuracy = validation is null
                    ? null
                    : LevelAccuracy.Measure(network, validation[t - 1], t, j, Math.Max(settings.BatchSize, 256));
                levels.Add(new DvnLevelProgress(t, j, statistics.MeanLoss(t, j), statistics.Accuracy(t, j), validationAccuracy));
            }
        return new DvnEpochReport(epoch, settings.NumberOfEpochs, elapsed, levels);
    }

    private static BatchObjective CheckArguments(DvnNetwork network, IBatchSource batches,
        DvnTrainingSettings settings, IReadOnlyList<TaskData>? validation)
    {
        var rowCounts = batches.RowCounts;
        if (rowCounts.Count != network.NumberOfTasks)
            throw new ArgumentException($"The network has {network.NumberOfTasks} tasks but data for {rowCounts.Count} was given.", nameof(batches));
        if (validation is not null && validation.Count != network.NumberOfTasks)
            throw new ArgumentException($"The network has {network.NumberOfTasks} tasks but validation data for {validation.Count} was given.", nameof(validation));
        for (int t = 1; t <= rowCounts.Count; t++)
            if (rowCounts[t - 1] < 2)
                throw new ArgumentException(
                    $"Task {t} has {rowCounts[t - 1]} training rows; every task needs at least 2 (batch normalization " +
                    "trains on batch statistics).", nameof(batches));
        if (batches.InputSize != network.InputSize)
            throw new ArgumentException($"The tasks' features have {batches.InputSize} values; the network reads {network.InputSize}.", nameof(batches));
        if (TrainingRules.FirstBroken(settings) is { } broken)
            throw new ArgumentOutOfRangeException(nameof(settings), $"{nameof(DvnTrainingSettings)}.{broken}");
        if (settings.Continuation is { } c && (c.ScheduleEpochs < settings.NumberOfEpochs || c.Resume?.Epoch >= settings.NumberOfEpochs))
            throw new ArgumentOutOfRangeException(nameof(settings),
                $"A stretch of {settings.NumberOfEpochs} epochs cannot continue from epoch {c.Resume?.Epoch} under a schedule of {c.ScheduleEpochs} epochs.");
        var levels = settings.Levels ?? Enumerable.Range(1, network.NumberOfLevels).ToArray();
        if (levels.Count == 0 || levels.Any(j => j < 1 || j > network.NumberOfLevels))
            throw new ArgumentOutOfRangeException(nameof(settings), $"Levels to train must be within 1..{network.NumberOfLevels}.");
        if (TrainingRules.LevelWeightCount(settings.LevelWeights, network.NumberOfLevels) is { } count)
            throw new ArgumentException($"{nameof(DvnTrainingSettings)}.{count}", nameof(settings));
        var weights = settings.LevelWeights ?? Enumerable.Repeat(1.0, network.NumberOfLevels).ToArray();
        return new BatchObjective(levels, weights, settings.DistillationWeight);
    }

    /// <summary>Running sums of loss, correct predictions and rows for every (task, level) within an epoch.</summary>
    private sealed class EpochStatistics(int tasks, int levels)
    {
        private readonly double[,] _loss = new double[tasks, levels];
        private readonly long[,] _correct = new long[tasks, levels];
        private readonly long[,] _rows = new long[tasks, levels];

        public void Add(int task, int level, double lossSum, long correct, long rows)
        {
            _loss[task - 1, level - 1] += lossSum;
            _correct[task - 1, level - 1] += correct;
            _rows[task - 1, level - 1] += rows;
        }

        public bool Has(int task, int level) => _rows[task - 1, level - 1] > 0;

        public double MeanLoss(int task, int level) => _loss[task - 1, level - 1] / _rows[task - 1, level - 1];

        public double Accuracy(int task, int level) => (double)_correct[task - 1, level - 1] / _rows[task - 1, level - 1];
    }
}
