using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Model;
using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Persistence;
using Microsoft.ML.Dvn.Tests.TestData;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// The reader computes every size from the declared shape before it builds the network; for networks of every kind
/// (MLP, CNN with and without fully connected layers, an extracted level) those sizes must be the network's own, or a
/// valid file would not load.
/// </summary>
[TestClass]
public sealed class ModelFormatTests
{
    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    [DataRow("cnn without fully connected layers")]
    [DataRow("extracted cnn level")]
    public void AModelOfEveryKindReadsBackWithItsSizesAndWeights(string kind)
    {
        var model = kind switch
        {
            "mlp" => Model(DvnArchitecture.Mlp(6, 5), 4, new[] { 2, 3, 4 }, units: 3, levels: 2),
            "cnn" => Model(DvnArchitecture.Cnn(8, 8, 2, new[] { 4, 6 }, new[] { 5 }), 128, new[] { 3, 2 }, units: 4, levels: 3),
            "cnn without fully connected layers" => Model(DvnArchitecture.Cnn(4, 4, 1, new[] { 3, 3 }, Array.Empty<int>()), 16, new[] { 2 }, units: 3, levels: 3),
            _ => Extracted(Model(DvnArchitecture.Cnn(8, 8, 2, new[] { 4, 6 }, new[] { 5 }), 128, new[] { 3, 2 }, units: 4, levels: 3), task: 2, level: 2),
        };
        using var stream = new MemoryStream();
        DvnModelFormat.Write(model, stream);
        stream.Position = 0;

        var read = DvnModelFormat.Read(stream);

        Assert.AreEqual(model.Network.StoredParameterCount, read.Network.StoredParameterCount);
        for (int t = 1; t <= model.Served.Count; t++)
            CollectionAssert.AreEqual(model.Task(t).Levels.Select(l => (l.Level, l.ParameterCount, string.Join(",", l.Units), l.ActivationValues)).ToArray(),
                read.Task(t).Levels.Select(l => (l.Level, l.ParameterCount, string.Join(",", l.Units), l.ActivationValues)).ToArray(),
                "levels, with the activations computed from the declared network");
        var expected = NetworkFixtures.Snapshot(model.Network);
        foreach (var (name, value) in NetworkFixtures.Snapshot(read.Network))
            Assert.IsTrue(NetworkFixtures.Same(expected[name], value), name);
        CollectionAssert.AreEqual(model.Network.Allocation.Order.TasksByPosition.ToArray(), read.Network.Allocation.Order.TasksByPosition.ToArray(), "tasks along the units");
        var (trained, training) = (model.Training, read.Training);
        CollectionAssert.AreEqual(trained.LevelWeights.ToArray(), training.LevelWeights.ToArray());
        Assert.AreEqual((trained.DistillationWeight, trained.LearningRateSchedule, trained.BatchOrder, trained.TaskOrder),
            (training.DistillationWeight, training.LearningRateSchedule, training.BatchOrder, training.TaskOrder));
        CollectionAssert.AreEqual(trained.TasksInUnitOrder.ToArray(), training.TasksInUnitOrder.ToArray());
    }

    private static DvnModel Model(DvnArchitecture architecture, int inputSize, int[] classCounts, int units, int levels)
    {
        // Tasks along the units in reverse key order, as a task order from measured affinity can place them.
        var allocation = new UnitAllocation(classCounts.Length, units, levels, new TaskOrder(Enumerable.Range(1, classCounts.Length).Reverse().ToArray()));
        var network = new DvnNetwork(architecture, inputSize, classCounts, allocation, seed: 5);
        int labelKeys = classCounts.Sum();
        var served = classCounts.Select((count, t) => new ServedTask(t + 1,
            Enumerable.Range(classCounts.Take(t).Sum() + 1, count).Select(k => (uint)k).ToArray(),
            Enumerable.Range(1, levels).Select(j => new LevelDescriptor(j, network.ParameterCount(t + 1, j), allocation.Units(t + 1, j).ToArray(), network.ActivationValuesPerRow(t + 1, j))).ToArray()))
            .ToArray();
        return new DvnModel(network, CPU, new DvnColumnNames("F", "L", "T", "B", "S", "P", "Lv", "N"),
            new KeyDomain(labelKeys, null), new KeyDomain(classCounts.Length, new KeyValues(NumberDataViewType.Int32, Enumerable.Range(10, classCounts.Length).ToArray())),
            served, new PredictionSettings(4, DvnDevice.Auto), new DvnTrainingInfo(1, 2, 0.1, 0.5, -3, classCounts.Select(c => (long)c).ToArray(),
                Enumerable.Range(1, levels).Select(j => 0.5 * j).ToArray(), 0.25, DvnLearningRateSchedule.Cosine, DvnBatchOrder.Proportional,
                DvnTaskOrder.Affinity, Enumerable.Range(1, classCounts.Length).Reverse().ToArray()));
    }

    private static DvnModel Extracted(DvnModel model, int task, int level)
    {
        var served = model.Task(task);
        return new DvnModel(model.Network.ExtractLevel(task, level), CPU, model.Columns, model.Labels, model.Tasks,
            new[] { served with { Levels = new[] { served.Levels[level - 1] } } }, model.Prediction, model.Training);
    }
}
