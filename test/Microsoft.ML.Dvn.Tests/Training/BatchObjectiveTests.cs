using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Training;

[TestClass]
public sealed class BatchObjectiveTests
{
    private const int Task = 2;

    [TestMethod]
    public void TheCombinedGradientIsTheWeightedSumOfTheLevelsGradients()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 5, 12, 9);
        var tasks = NetworkFixtures.Tasks(rowsPerTask: 40, seed: 1);
        network.train();
        var weights = new[] { 0.5, 0.0, 2.0 };

        var combined = Gradients(network, tasks[Task - 1], new BatchObjective(new[] { 1, 2, 3 }, weights, DistillationWeight: 0));
        var perLevel = Enumerable.Range(1, 3)
            .Select(j => Gradients(network, tasks[Task - 1], new BatchObjective(new[] { j }, new[] { 1.0, 1.0, 1.0 }, DistillationWeight: 0))).ToArray();
        var unitWeights = Gradients(network, tasks[Task - 1], new BatchObjective(new[] { 1, 2, 3 }, new[] { 1.0, 1.0, 1.0 }, DistillationWeight: 0));

        foreach (var (name, gradient) in combined)
        {
            var expected = perLevel.Select((g, j) => g[name] * weights[j]).Aggregate((a, b) => a + b);
            Assert.IsTrue(gradient.allclose(expected, rtol: 1e-4, atol: 1e-6), $"{name}: the combined gradient is not 0.5 g1 + 0 g2 + 2 g3");
        }
        Assert.IsTrue(combined["fullyConnected.0.weight"].sub(unitWeights["fullyConnected.0.weight"]).abs().max().item<float>() > 1e-4,
            "weights (0.5, 0, 2) gave the gradient of weights (1, 1, 1)");
        Assert.AreEqual(0f, combined[$"levels.t{Task}l2.head.weight"].abs().max().item<float>(), "level 2 has weight 0 but its head got a gradient");
        NetworkFixtures.DisposeAll(tasks);
    }

    [TestMethod]
    public void DistillationMixesTheLabelsLossWithTheTopLevelsDetachedPredictionsBelowTheTop()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 6, 12, 9);
        var tasks = NetworkFixtures.Tasks(rowsPerTask: 40, seed: 1);
        var (x, y) = (tasks[Task - 1].Features, tasks[Task - 1].Labels);
        network.train();
        const double a = 0.3;
        var weights = new[] { 1.0, 0.5, 2.0 };

        var (total, crossEntropies, _) = new BatchObjective(new[] { 1, 2, 3 }, weights, a).Evaluate(network, x, y, Task);

        var logits = Enumerable.Range(1, 3).Select(j => network.Forward(x, Task, j)).ToArray();
        var teacher = nn.functional.softmax(logits[2], 1);
        double expected = 0;
        for (int j = 0; j < 3; j++)
        {
            double ce = nn.functional.cross_entropy(logits[j], y).item<float>();
            Assert.AreEqual(ce, crossEntropies[j].item<float>(), 1e-5, $"level {j + 1}: the reported loss is the cross-entropy against the labels");
            double soft = -(teacher * nn.functional.log_softmax(logits[j], 1)).sum(1).mean().item<float>();
            expected += weights[j] * (j == 2 ? ce : (1 - a) * ce + a * soft);
        }
        Assert.AreEqual(expected, total.item<float>(), 1e-4);
        Assert.AreNotEqual(new BatchObjective(new[] { 1, 2, 3 }, weights, 0).Evaluate(network, x, y, Task).Total.item<float>(), total.item<float>(), 1e-4,
            "distillation did not change the objective");
        NetworkFixtures.DisposeAll(tasks);
    }

    [TestMethod]
    public void TheTopLevelLearnsNothingFromTheLevelsItTeaches()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 7, 12, 9);
        var tasks = NetworkFixtures.Tasks(rowsPerTask: 40, seed: 1);
        network.train();

        // Only level 1's loss counts, and it is all distillation: any gradient on level 3's own modules would come
        // through its predictions, which must be detached.
        var gradients = Gradients(network, tasks[Task - 1], new BatchObjective(new[] { 1, 2, 3 }, new[] { 1.0, 0, 0 }, DistillationWeight: 1));

        Assert.IsTrue(gradients[$"levels.t{Task}l1.head.weight"].abs().max().item<float>() > 0, "level 1 learned nothing");
        foreach (var (name, gradient) in gradients.Where(g => g.Key.StartsWith($"levels.t{Task}l3.")))
            Assert.AreEqual(0f, gradient.abs().max().item<float>(), $"{name} got a gradient from the level it teaches");
        NetworkFixtures.DisposeAll(tasks);
    }

    // Every parameter's gradient of the objective on the task's rows (zeros where a parameter gets none).
    private static Dictionary<string, Tensor> Gradients(DvnNetwork network, TaskData data, BatchObjective objective)
    {
        network.zero_grad(set_to_none: true);
        objective.Evaluate(network, data.Features, data.Labels, Task).Total.backward();
        return network.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad?.clone() ?? zeros_like(p.parameter));
    }
}
