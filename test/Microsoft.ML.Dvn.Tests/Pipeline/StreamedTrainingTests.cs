using Microsoft.ML.Dvn.Pipeline;
using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

[TestClass]
public sealed class StreamedTrainingTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static IDataView Keyed(IEnumerable<TaskRow> rows)
    {
        var data = Ml.Data.LoadFromEnumerable(rows);
        return Ml.Transforms.Conversion.MapValueToKey("Task").Append(Ml.Transforms.Conversion.MapValueToKey("Label")).Fit(data).Transform(data);
    }

    private static DvnEstimator.Options Streamed(int epochs = 15) =>
        new() { Architecture = DvnArchitecture.Mlp(30, 30), NumberOfEpochs = epochs, BatchSize = 32, LearningRate = 0.01, Seed = 1,
            TrainingData = DvnTrainingData.Streamed, ShuffleBufferRows = 64 };

    [TestMethod]
    public void ACursorPassReadsEveryRowOfEveryTaskExactlyOnceWithItsOwnLabel()
    {
        // Row i of the data carries i in its first feature; the tasks are interleaved unevenly.
        var rows = MlNetTasks.Rows(60, seed: 1).Where((_, i) => i % 7 != 3).Select((r, i) =>
        {
            r.Features = r.Features.ToArray();
            r.Features[0] = i;
            return r;
        }).ToList();
        var data = TrainingSet.Read(Keyed(rows), null, Streamed(), CancellationToken.None);
        using var generator = new Generator(1);

        var seen = new List<(int Task, long Id, long Class)>();
        foreach (var batch in data.StreamedBatches(CPU, shuffleBufferRows: 16).Pass(new[] { 1, 2, 3 }, 8, DvnBatchOrder.RoundRobin, generator))
            using (batch)
            {
                var features = batch.Rows.Features.data<float>().ToArray();
                var labels = batch.Rows.Labels.data<long>().ToArray();
                for (int r = 0; r < batch.Rows.RowCount; r++)
                    seen.Add((batch.Task, (long)features[r * GeneratedTasks.FeatureCount], labels[r]));
            }

        CollectionAssert.AreEqual(Enumerable.Range(0, rows.Count).Select(i => (long)i).ToArray(), seen.Select(s => s.Id).Order().ToArray());
        foreach (var (task, id, label) in seen)
        {
            Assert.AreEqual(MlNetTasks.TaskNames[task - 1], rows[(int)id].Task, $"row {id} in a batch of task {task}");
            Assert.AreEqual(1, seen.Where(s => rows[(int)s.Id].Label == rows[(int)id].Label).Select(s => s.Class).Distinct().Count(),
                $"label {rows[(int)id].Label} became more than one class");
        }
        CollectionAssert.AreEqual(MlNetTasks.TaskNames.Select(t => (long)rows.Count(r => r.Task == t)).ToArray(), data.RowCounts);
    }

    [TestMethod]
    public void StreamedAndCachedTrainingFromABinaryFileBothPredictWellAboveChance()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dvn-streamed-{Environment.ProcessId}.idv");
        try
        {
            using (var file = File.Create(path))
                Ml.Data.SaveAsBinary(Ml.Data.LoadFromEnumerable(MlNetTasks.Rows(300, seed: 1)), file);
            var train = Ml.Data.LoadFromBinary(path);
            var test = MlNetTasks.Rows(200, seed: 2);
            foreach (var mode in new[] { DvnTrainingData.Cached, DvnTrainingData.Streamed })
            {
                var options = Streamed();
                options.TrainingData = mode;
                var model = MlNetTasks.Pipeline(Ml, options).Fit(train);
                var predicted = MlNetTasks.Column<ReadOnlyMemory<char>>(model.Transform(Ml.Data.LoadFromEnumerable(test)), "PredictedLabel");
                double[] chance = { 1 / 3.0, 1 / 2.0, 1 / 4.0 };
                for (int t = 0; t < 3; t++)
                {
                    var rows = Enumerable.Range(0, test.Count).Where(i => test[i].Task == MlNetTasks.TaskNames[t]).ToArray();
                    double accuracy = rows.Count(i => predicted[i].ToString() == test[i].Label) / (double)rows.Length;
                    Assert.IsTrue(accuracy > chance[t] + 0.3, $"{mode}, task {t + 1}: accuracy {accuracy:P1}, chance {chance[t]:P1}");
                }
                CollectionAssert.AreEqual(new long[] { 300, 300, 300 }, MlNetTasks.Dvn(model).Training.RowsPerTask.ToArray());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void CancellationStopsAStreamedFitAfterTheEpochUnderWay()
    {
        using var stop = new CancellationTokenSource();
        var reports = new List<DvnEpochReport>();
        var options = Streamed(epochs: 5);
        options.Cancellation = stop.Token;
        options.EpochCompleted = report => { reports.Add(report); stop.Cancel(); };

        Assert.ThrowsExactly<OperationCanceledException>(() => Ml.MulticlassClassification.Trainers.Dvn(options).Fit(Keyed(MlNetTasks.Rows(50, seed: 1))));
        Assert.AreEqual(1, reports.Count);
    }

    [TestMethod]
    public void StreamedTrainingWithTheAffinityTaskOrderIsRejectedNamingBoth()
    {
        var options = Streamed();
        options.TaskOrder = DvnTaskOrder.Affinity;

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.MulticlassClassification.Trainers.Dvn(options));

        StringAssert.Contains(error.Message, "DvnEstimator.Options.TaskOrder is Affinity; expected TaskKeys with TrainingData Streamed");
    }
}
