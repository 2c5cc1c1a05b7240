using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>Accuracy of one (task, level) on a task's rows, in inference mode (running statistics), batched.</summary>
internal static class LevelAccuracy
{
    public static double Measure(Network.DvnNetwork network, TaskData data, int task, int level, int batchSize)
    {
        if (data.RowCount == 0)
            return double.NaN;
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var _ = no_grad();
            long correct = 0;
            for (long start = 0; start < data.RowCount; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long length = Math.Min(batchSize, data.RowCount - start);
                var logits = network.Forward(data.Features.narrow(0, start, length), task, level);
                correct += logits.argmax(1).eq(data.Labels.narrow(0, start, length)).sum().item<long>();
            }
            return (double)correct / data.RowCount;
        }
        finally
        {
            network.train(wasTraining);
        }
    }
}
