using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Training;

[TestClass]
public sealed class NormalizationCalibrationTests
{
    [TestMethod]
    public void AfterTrainingEveryLevelsRunningMeanIsTheMeanOfItsFirstLayerOverTheTrainingRows()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFixtures.Mlp(seed: 2, 12, 12);
        var tasks = NetworkFixtures.Tasks(rowsPerTask: 64, seed: 1); // two equal batches of 32 per task
        DvnTrainer.Train(network, tasks, new DvnTrainingSettings(2, 32, 0.01, 0, 4), null, null, CancellationToken.None);

        var weight = network.named_parameters().Single(p => p.name == "fullyConnected.0.weight").parameter;
        var buffers = network.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        for (int t = 1; t <= 3; t++)
            for (int j = 1; j <= 3; j++)
            {
                var slice = network.HiddenSlices(network.Allocation.Units(t, j)).First();
                using var _ = no_grad();
                var activations = tasks[t - 1].Features.matmul(weight.narrow(0, slice.Start, slice.Length).t());
                var expected = activations.mean(new long[] { 0 });
                var actual = buffers[$"levels.t{t}l{j}.norms.0.running_mean"];
                Assert.IsTrue(actual.allclose(expected, rtol: 1e-4, atol: 1e-5),
                    $"task {t} level {j}: running mean {actual.ToString(TorchSharp.TensorStringStyle.Julia)} is not the data's {expected.ToString(TorchSharp.TensorStringStyle.Julia)}");
            }
        NetworkFixtures.DisposeAll(tasks);
    }
}
