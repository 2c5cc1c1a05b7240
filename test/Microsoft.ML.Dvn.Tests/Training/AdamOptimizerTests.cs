using System.Diagnostics;
using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Training;

[TestClass]
public sealed class AdamOptimizerTests
{
    [TestMethod]
    public void StepsAreBitIdenticalToTorchSharpsAdamWithWeightDecayScheduleAndSkippedParameters()
    {
        using var scope = NewDisposeScope();
        using var ours = NetworkFixtures.Mlp(seed: 4, 12, 9);
        using var theirs = NetworkFixtures.Mlp(seed: 4, 12, 9);
        var tasks = NetworkFixtures.Tasks(rowsPerTask: 24, seed: 2);
        using var adam = new AdamOptimizer(ours.parameters(), learningRate: 0.01, weightDecay: 1e-3);
        using var reference = optim.Adam(theirs.parameters(), lr: 0.01, weight_decay: 1e-3);
        ours.train();
        theirs.train();

        for (int step = 0; step < 12; step++)
        {
            // Tasks and levels take turns, so parameters outside the batch's (task, level) have no gradient and keep
            // their own step count; the learning rate changes every step.
            int task = step % 3 + 1, level = step % 2 + 1;
            var objective = new BatchObjective(new[] { level }, new[] { 1.0, 1.0, 1.0 }, DistillationWeight: 0);
            double learningRate = 0.01 / (1 + step);
            adam.LearningRate = learningRate;
            TrainingLoop.TrainBatch(ours, adam, tasks[task - 1].Features, tasks[task - 1].Labels, task, objective);
            foreach (var group in reference.ParamGroups)
                group.LearningRate = learningRate;
            using (var stepScope = NewDisposeScope())
            {
                theirs.zero_grad(set_to_none: true);
                objective.Evaluate(theirs, tasks[task - 1].Features, tasks[task - 1].Labels, task).Total.backward();
                reference.step();
            }
        }

        var expected = NetworkFixtures.Snapshot(theirs);
        var actual = NetworkFixtures.Snapshot(ours);
        using var untrained = NetworkFixtures.Mlp(seed: 4, 12, 9);
        var initial = NetworkFixtures.Snapshot(untrained);
        int moved = 0;
        foreach (var (name, value) in expected)
        {
            Assert.IsTrue(NetworkFixtures.Same(value, actual[name]), $"{name} differs from TorchSharp's Adam by up to {value.sub(actual[name]).abs().max().item<float>()}");
            moved += NetworkFixtures.Same(value, initial[name]) ? 0 : 1;
        }
        Assert.IsTrue(moved > expected.Count / 2, $"only {moved} of {expected.Count} tensors moved: the comparison proves little");
        NetworkFixtures.DisposeAll(tasks);
    }

    [TestMethod]
    public void TrainingStepsSurviveConstantGarbageCollection()
    {
        // TorchSharp's own Adam fails here within seconds ("Expected false to be true" from c10::Scalar::toFloat): its
        // temporary Scalars are finalized while libtorch reads them. Collections on another thread, as a streaming
        // cursor's allocations cause them, must not touch a Scalar the step still needs.
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 4, 6, 6);
        var tasks = NetworkFixtures.Tasks(rowsPerTask: 8, seed: 2);
        using var adam = new AdamOptimizer(network.parameters(), learningRate: 1e-3, weightDecay: 1e-4);
        var objective = new BatchObjective(new[] { 1, 2, 3 }, new[] { 1.0, 0.5, 2.0 }, DistillationWeight: 0.5);
        network.train();
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect(0);
                GC.WaitForPendingFinalizers();
            }
        });
        long steps = 0;
        try
        {
            for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(3); steps++)
            {
                int task = (int)(steps % 3) + 1;
                var result = TrainingLoop.TrainBatch(network, adam, tasks[task - 1].Features, tasks[task - 1].Labels, task, objective);
                Assert.IsTrue(result.IsFinite, $"step {steps}: a loss is not finite");
            }
        }
        finally
        {
            stop.Cancel();
            collector.Wait();
        }
        Assert.IsTrue(steps > 20, $"only {steps} steps ran");
        NetworkFixtures.DisposeAll(tasks);
    }
}
