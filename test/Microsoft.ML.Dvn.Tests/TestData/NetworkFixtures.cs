using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>Networks and tensors for the method-level tests, without ML.NET.</summary>
internal static class NetworkFixtures
{
    public static DvnNetwork Mlp(long seed, params int[] hidden) =>
        new(DvnArchitecture.Mlp(hidden), GeneratedTasks.FeatureCount, GeneratedTasks.ClassCounts, new UnitAllocation(3, 3, 3), seed);

    public static TaskData[] Tasks(int rowsPerTask, int seed) =>
        Enumerable.Range(1, 3).Select(t =>
        {
            var (features, labels) = GeneratedTasks.Rows(t, rowsPerTask, seed);
            return new TaskData(
                tensor(features.SelectMany(f => f).ToArray(), rowsPerTask, GeneratedTasks.FeatureCount),
                tensor(labels.Select(l => (long)l).ToArray()));
        }).ToArray();

    /// <summary>Copies of every parameter and buffer, by name.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module module) =>
        module.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(module.named_buffers())
            .ToDictionary(p => p.Item1, p => p.Item2.detach().clone());

    /// <summary>Same shape and bit-identical values.</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static void DisposeAll(IEnumerable<IDisposable> items)
    {
        foreach (var item in items)
            item.Dispose();
    }
}
