using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Network;

[TestClass]
public sealed class SubnetworkIsolationTests
{
    private const int Task = 2;
    private const int Level = 1;

    [TestMethod]
    public void OneTrainingStepOnATaskLevelChangesOnlyItsUnitsAndItsOwnModules()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 3, 10, 8);
        var tasks = NetworkFixtures.Tasks(rowsPerTask: 32, seed: 1);
        var before = NetworkFixtures.Snapshot(network);
        using var optimizer = new AdamOptimizer(network.parameters(), learningRate: 0.01);
        network.train();

        var result = TrainingLoop.TrainBatch(network, optimizer, tasks[Task - 1].Features, tasks[Task - 1].Labels, Task, new BatchObjective(new[] { Level }, new[] { 1.0, 1.0, 1.0 }, DistillationWeight: 0));

        Assert.IsTrue(result.IsFinite);
        var after = NetworkFixtures.Snapshot(network);
        var masks = SharedWeightMasks(network, network.Allocation.Units(Task, Level));
        foreach (var (name, mask) in masks)
        {
            var changed = before[name].ne(after[name]);
            Assert.IsFalse(changed.logical_and(mask.logical_not()).any().item<bool>(), $"{name} changed outside units {network.Allocation.Units(Task, Level)}");
            Assert.IsTrue(changed.logical_and(mask).any().item<bool>(), $"{name} did not change inside the level's block");
        }
        string own = $"levels.t{Task}l{Level}.";
        foreach (var name in before.Keys.Where(n => n.StartsWith("levels.")))
        {
            bool changed = !NetworkFixtures.Same(before[name], after[name]);
            Assert.AreEqual(name.StartsWith(own), changed, name.StartsWith(own) ? $"{name} of the trained level did not change" : $"{name} of another (task, level) changed");
        }
        NetworkFixtures.DisposeAll(tasks);
    }

    [TestMethod]
    public void AStepOnOneTaskLeavesAnotherTasksModulesAloneEvenWithAdamMomentum()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 3, 10, 8);
        var tasks = NetworkFixtures.Tasks(rowsPerTask: 32, seed: 1);
        using var optimizer = new AdamOptimizer(network.parameters(), learningRate: 0.01);
        network.train();
        var all = new BatchObjective(new[] { 1, 2, 3 }, new[] { 1.0, 1.0, 1.0 }, DistillationWeight: 0);
        TrainingLoop.TrainBatch(network, optimizer, tasks[0].Features, tasks[0].Labels, 1, all);
        var before = NetworkFixtures.Snapshot(network);

        TrainingLoop.TrainBatch(network, optimizer, tasks[Task - 1].Features, tasks[Task - 1].Labels, Task, all);

        var after = NetworkFixtures.Snapshot(network);
        foreach (var name in before.Keys.Where(n => n.StartsWith("levels.t1")))
            Assert.IsTrue(NetworkFixtures.Same(before[name], after[name]), $"{name} (task 1) moved during a task {Task} step");
        NetworkFixtures.DisposeAll(tasks);
    }

    [TestMethod]
    public void ForwardReadsNothingOutsideTheLevelsUnitsAndModules()
    {
        using var scope = NewDisposeScope();
        var architecture = DvnArchitecture.Cnn(8, 8, 2, new[] { 7, 14 }, new[] { 9 });
        using var network = new DvnNetwork(architecture, 128, new[] { 3, 5, 2 }, new UnitAllocation(3, 3, 3), seed: 5);
        network.eval();
        var input = randn(6, 128, generator: new Generator(9));
        var units = network.Allocation.Units(Task, Level);
        var expected = network.Forward(input, Task, Level).detach().clone();

        using (no_grad())
        {
            foreach (var (name, mask) in SharedWeightMasks(network, units))
                ParameterNamed(network, name).add_(randn_like(mask, dtype: float32).mul(mask.logical_not()));
            foreach (var (name, parameter) in network.named_parameters().Where(p => p.name.StartsWith("levels.") && !p.name.StartsWith($"levels.t{Task}l{Level}.")))
                parameter.add_(1.0);
        }
        Assert.IsTrue(NetworkFixtures.Same(expected, network.Forward(input, Task, Level)), "the output changed when only weights outside the level changed");

        using (no_grad())
            foreach (var (name, mask) in SharedWeightMasks(network, units))
                ParameterNamed(network, name).add_(mask.to_type(float32));
        Assert.IsFalse(NetworkFixtures.Same(expected, network.Forward(input, Task, Level)), "the output ignores the level's own block");
    }

    private static Tensor ParameterNamed(nn.Module module, string name) =>
        module.named_parameters().Single(p => p.name == name).parameter;

    /// <summary>For every shared weight, true where the level's forward pass reads it.</summary>
    private static List<(string Name, Tensor Mask)> SharedWeightMasks(DvnNetwork network, UnitRange units)
    {
        var slices = network.HiddenSlices(units).ToArray();
        var shared = network.named_parameters().Where(p => !p.name.StartsWith("levels.")).ToArray();
        Assert.AreEqual(slices.Length, shared.Length, "one shared weight per hidden layer");
        var masks = new List<(string, Tensor)>();
        ChannelSlice? previous = null;
        for (int layer = 0; layer < shared.Length; layer++)
        {
            var (name, weight) = shared[layer];
            var mask = zeros_like(weight, dtype: ScalarType.Bool);
            long inputs = weight.shape[1];
            var rows = slices[layer];
            // Inputs: all features for the first layer; the previous layer's slice, flattened over the pooled image
            // area where a convolution feeds a fully connected layer.
            long start = 0, length = inputs;
            if (previous is ChannelSlice p)
            {
                long area = weight.dim() == 2 && name.StartsWith("fullyConnected.0") && network.Architecture.Kind == DvnArchitectureKind.Cnn
                    ? inputs / network.Architecture.ConvolutionChannels[^1] : 1;
                start = p.Start * area;
                length = p.Length * area;
            }
            mask.narrow(0, rows.Start, rows.Length).narrow(1, start, length).fill_(true);
            masks.Add((name, mask));
            previous = rows;
        }
        return masks;
    }
}
