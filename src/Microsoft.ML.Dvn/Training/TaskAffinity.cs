using System.Runtime.InteropServices;
using Microsoft.ML.Dvn.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// How related the tasks are, measured (ours, issue 11): a shared network (every task on the full width: one unit,
/// one level, a head per task) trains on all tasks jointly for a short warm-up; then each task's gradient on the
/// shared weights is taken over its warm-up rows, and the affinity of two tasks is the cosine similarity of their
/// gradients. Tasks whose gradients agree help each other when they share weights; tasks whose gradients conflict
/// pull shared weights apart.
/// </summary>
/// <remarks>
/// The result depends on the rows and the seed only, not on the order of the rows or of the task keys: each task's
/// rows are put in a canonical order (by a hash of their features), its classes numbered by first appearance in that
/// order, the tasks taken in the order of a fingerprint of their rows, and every head starts at zero, so the same rows
/// in another order, or with the task keys permuted, give bit-identical affinities. (Rows with bit-identical features
/// keep their input order among themselves.)
/// Cost: <see cref="WarmupPasses"/> passes over up to <see cref="RowsPerTask"/> rows of every task on the full width,
/// and one more pass for the gradients.
/// </remarks>
internal static class TaskAffinity
{
    /// <summary>Rows of each task that the warm-up and the measurement use (all of a task's rows when it has fewer).</summary>
    public const int RowsPerTask = 2048;

    /// <summary>Passes of the warm-up over those rows.</summary>
    public const int WarmupPasses = 2;

    /// <summary>The affinity of every pair of tasks: a symmetric matrix with 1 on the diagonal, tasks 1-based at index t-1.</summary>
    /// <param name="architecture">The backbone, at its full widths.</param>
    /// <param name="tasks">Every task's training rows (labels 0..classes-1, every class present).</param>
    /// <param name="batchSize">Rows of one task in a warm-up batch.</param>
    /// <param name="learningRate">Adam's learning rate in the warm-up.</param>
    /// <param name="seed">Fixes the shared network's initial weights.</param>
    /// <param name="cancellation">Checked before every step.</param>
    public static Measurement Measure(DvnArchitecture architecture, IReadOnlyList<TaskData> tasks, int batchSize, double learningRate,
        long seed, CancellationToken cancellation)
    {
        using var scope = NewDisposeScope();
        var rows = tasks.Select(CanonicalRows.Of).ToArray();
        // Tasks are processed in the order of their fingerprints, so that sums over tasks do not depend on the task keys.
        var canonicalOrder = Enumerable.Range(0, tasks.Count).OrderBy(t => rows[t].Fingerprint).ThenBy(t => t).ToArray();
        var device = tasks[0].Features.device;
        var features = tasks.Select((task, t) => task.Features.index_select(0, tensor(rows[t].Order, device: device))).ToArray();
        var labels = rows.Select(r => tensor(r.Labels, device: device)).ToArray();

        using var network = new DvnNetwork(architecture, (int)tasks[0].Features.shape[1], rows.Select(r => r.ClassCount).ToArray(),
            new UnitAllocation(tasks.Count, 1, 1), seed);
        network.to(device);
        var shared = network.named_parameters().Where(p => !p.name.StartsWith("levels.", StringComparison.Ordinal)).Select(p => p.parameter).ToArray();
        using (no_grad())
            // Heads start at zero: their random initial weights would be drawn in task-key order.
            foreach (var (_, head) in network.named_parameters().Where(p => p.name.Contains(".head.", StringComparison.Ordinal)))
                head.zero_();
        network.train();

        using var optimizer = new AdamOptimizer(network.parameters(), learningRate);
        // Scalars owned until libtorch has read them (see AdamOptimizer's remarks).
        using var zero = 0L.ToScalar();
        using var one = 1L.ToScalar();
        int steps = WarmupPasses * (int)Math.Ceiling(rows.Max(r => r.Order.Length) / (double)batchSize);
        for (int step = 0; step < steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            network.zero_grad(set_to_none: true);
            Tensor? total = null;
            foreach (int t in canonicalOrder)
            {
                // The step's batch of the task, wrapping around its rows.
                long count = features[t].shape[0], size = Math.Min(batchSize, count);
                using var start = ((long)step * batchSize).ToScalar();
                using var end = ((long)step * batchSize + size).ToScalar();
                using var rowCount = count.ToScalar();
                var batch = arange(start, end, one, device: device).remainder(rowCount);
                var loss = nn.functional.cross_entropy(network.Forward(features[t].index_select(0, batch), t + 1, 1), labels[t].index_select(0, batch));
                total = total is null ? loss : total.add(loss, one);
            }
            total!.backward();
            optimizer.Step();
        }

        var gradients = new double[tasks.Count][];
        for (int t = 0; t < tasks.Count; t++)
        {
            cancellation.ThrowIfCancellationRequested();
            network.zero_grad(set_to_none: true);
            long count = features[t].shape[0];
            // The gradient of the mean loss over the rows.
            using var end = count.ToScalar();
            foreach (var batch in BatchSchedule.Cut(arange(zero, end, one, device: device), batchSize))
            {
                using var batchScope = NewDisposeScope();
                var loss = nn.functional.cross_entropy(network.Forward(features[t].index_select(0, batch), t + 1, 1), labels[t].index_select(0, batch));
                using var share = ((double)batch.shape[0] / count).ToScalar();
                loss.mul(share).backward();
            }
            gradients[t] = shared.SelectMany(p => p.grad!.cpu().to(ScalarType.Float64).flatten().data<double>().ToArray()).ToArray();
        }

        var affinity = new double[tasks.Count, tasks.Count];
        for (int a = 0; a < tasks.Count; a++)
            for (int b = a; b < tasks.Count; b++)
                affinity[a, b] = affinity[b, a] = a == b ? 1 : Cosine(gradients[a], gradients[b]);
        var ranks = new int[tasks.Count];
        for (int i = 0; i < canonicalOrder.Length; i++)
            ranks[canonicalOrder[i]] = i;
        return new Measurement(affinity, ranks);
    }

    /// <summary>The affinities, and every task's rank in the canonical task order (for breaking ties without the task keys).</summary>
    public sealed record Measurement(double[,] Affinity, int[] CanonicalRank);

    private static double Cosine(double[] a, double[] b)
    {
        double dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return aa > 0 && bb > 0 ? dot / Math.Sqrt(aa * bb) : 0;
    }

    /// <summary>A task's rows in canonical order: by a hash of their features, then input order.</summary>
    /// <param name="Order">The first <see cref="RowsPerTask"/> row indices in canonical order.</param>
    /// <param name="Labels">Their labels, classes numbered by first appearance in the canonical order of all rows.</param>
    /// <param name="ClassCount">The task's classes.</param>
    /// <param name="Fingerprint">A hash of all rows' features and renumbered labels, in canonical order.</param>
    private sealed record CanonicalRows(long[] Order, long[] Labels, int ClassCount, ulong Fingerprint)
    {
        public static CanonicalRows Of(TaskData task)
        {
            using var scope = NewDisposeScope();
            int rows = (int)task.RowCount, width = (int)task.Features.shape[1];
            var features = MemoryMarshal.Cast<float, uint>(task.Features.cpu().contiguous().data<float>().ToArray().AsSpan()).ToArray();
            var labels = task.Labels.cpu().data<long>().ToArray();
            var hashes = new ulong[rows];
            for (int r = 0; r < rows; r++)
                hashes[r] = Hash.Of(features.AsSpan(r * width, width));
            var order = Enumerable.Range(0, rows).OrderBy(r => hashes[r]).ThenBy(r => r).ToArray();

            var renumbered = new Dictionary<long, long>();
            ulong fingerprint = Hash.Start;
            foreach (int r in order)
            {
                if (!renumbered.ContainsKey(labels[r]))
                    renumbered[labels[r]] = renumbered.Count;
                fingerprint = Hash.Mix(Hash.Mix(fingerprint, hashes[r]), (ulong)renumbered[labels[r]]);
            }
            var kept = order.Take(RowsPerTask).ToArray();
            return new CanonicalRows(kept.Select(r => (long)r).ToArray(), kept.Select(r => renumbered[labels[r]]).ToArray(),
                renumbered.Count, fingerprint);
        }
    }

    /// <summary>FNV-1a over 32- and 64-bit words, with splitmix64's finalizer for a row's hash.</summary>
    private static class Hash
    {
        public const ulong Start = 14695981039346656037;
        private const ulong Prime = 1099511628211;

        public static ulong Mix(ulong hash, ulong word) => (hash ^ word) * Prime;

        public static ulong Of(ReadOnlySpan<uint> words)
        {
            ulong hash = Start;
            foreach (uint word in words)
                hash = Mix(hash, word);
            hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9;
            hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EB;
            return hash ^ (hash >> 31);
        }
    }
}
