using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// Streamed training reads its IDataView again every epoch. A view whose rows change between epochs while their counts
/// and label sets stay the same (edited values, labels exchanged among a task's classes, rows exchanged between tasks)
/// must fail naming the task and the epoch, not train on a mixture of two data sets; the same rows in another order
/// are the same data. The view here is a mutable list served through LoadFromEnumerable, which enumerates the list
/// afresh for every cursor; the tests change the list after epoch 1.
/// </summary>
[TestClass]
public sealed class StreamedDataChangeTests
{
    /// <summary>
    /// Three tasks of 40 rows each, interleaved (alpha, beta, gamma, alpha, ...), with labels "0", "1", ... shared by the
    /// tasks, so that a row can move to another task without bringing a label that task does not have.
    /// </summary>
    private static List<TaskRow> Rows() => MlNetTasks.Rows(40, seed: 1).Select(r => new TaskRow
    {
        Features = r.Features.ToArray(),
        Label = r.Label.Split(':')[1],
        Task = r.Task,
    }).ToList();

    /// <summary>Fits a streamed DVN of 2 epochs on <paramref name="rows"/>, calling <paramref name="change"/> after epoch 1.</summary>
    private static void FitChangingAfterEpochOne(List<TaskRow> rows, Action<List<TaskRow>> change)
    {
        var ml = new MLContext(seed: 1);
        var source = ml.Data.LoadFromEnumerable(rows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Task").Append(ml.Transforms.Conversion.MapValueToKey("Label")).Fit(source).Transform(source);
        var options = MlNetTasks.Options(epochs: 2);
        options.TrainingData = DvnTrainingData.Streamed;
        options.ShuffleBufferRows = 64;
        options.EpochCompleted = report =>
        {
            if (report.Epoch == 1)
                change(rows);
        };
        ml.MulticlassClassification.Trainers.Dvn(options).Fit(keyed);
    }

    private static int Index(List<TaskRow> rows, string task, string label) => rows.FindIndex(r => r.Task == task && r.Label == label);

    private static void AssertFitFailsNaming(int task, Action<List<TaskRow>> change)
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => FitChangingAfterEpochOne(Rows(), change));

        StringAssert.Contains(error.Message, $"Task {task}: the training rows read in epoch 2 differ from those read in epoch 1");
        StringAssert.Contains(error.Message, "cache the data (DvnEstimator.Options.TrainingData = Cached, or mlContext.Data.Cache before Fit)");
    }

    [TestMethod]
    public void AFeatureValueEditedBetweenEpochsFailsNamingTheTaskAndTheEpoch() =>
        AssertFitFailsNaming(2, rows => rows[Index(rows, "beta", "1")].Features[3] += 0.5f);

    [TestMethod]
    public void LabelsExchangedAmongATasksClassesBetweenEpochsFailNamingTheTaskAndTheEpoch() =>
        AssertFitFailsNaming(3, rows =>
        {
            var (zero, two) = (rows[Index(rows, "gamma", "0")], rows[Index(rows, "gamma", "2")]);
            (zero.Label, two.Label) = (two.Label, zero.Label);
        });

    // Every task keeps its row count and its labels: only which features belong to which task changes.
    [TestMethod]
    public void RowsExchangedBetweenTasksBetweenEpochsFailNamingTheTaskAndTheEpoch() =>
        AssertFitFailsNaming(1, rows =>
        {
            var (alpha, beta) = (rows[Index(rows, "alpha", "0")], rows[Index(rows, "beta", "0")]);
            (alpha.Task, beta.Task) = (beta.Task, alpha.Task);
        });

    [TestMethod]
    public void TheSameRowsInAnotherOrderEveryEpochTrain() => FitChangingAfterEpochOne(Rows(), rows => rows.Reverse());
}
