using Microsoft.ML.Dvn.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// What one mini-batch of a task minimises: sum_j w_j * loss_j over the trained levels j (docs/method.md), where
/// loss_j = CE(f_j(x), y) (the paper) or, with in-place distillation weight a > 0 (ours, after universally slimmable
/// networks, Yu and Huang 2019), loss_j = (1 - a) CE(f_j(x), y) + a CE(f_j(x), softmax(f_top(x))) for every level
/// below the top one, whose predictions are detached: the top level teaches the smaller ones, never the reverse.
/// </summary>
/// <param name="Levels">The levels trained, 1-based; the highest of them is the teacher.</param>
/// <param name="LevelWeights">w_j of every level of the network, level j at index j-1.</param>
/// <param name="DistillationWeight">The distillation weight a, in [0, 1]; 0 for the paper's loss.</param>
internal sealed record BatchObjective(IReadOnlyList<int> Levels, IReadOnlyList<double> LevelWeights, double DistillationWeight)
{
    /// <summary>The objective of a batch, and every level's cross-entropy against the labels and correct predictions.</summary>
    /// <remarks>The tensors belong to the caller's dispose scope.</remarks>
    public (Tensor Total, Tensor[] CrossEntropies, Tensor[] Correct) Evaluate(DvnNetwork network, Tensor features, Tensor labels, int task)
    {
        var logits = Levels.Select(level => network.Forward(features, task, level)).ToArray();
        int teacher = Array.IndexOf(Levels.ToArray(), Levels.Max());
        var targets = DistillationWeight > 0 ? nn.functional.softmax(logits[teacher].detach(), 1) : null;
        var crossEntropies = new Tensor[logits.Length];
        var correct = new Tensor[logits.Length];
        Tensor? total = null;
        // Scalars owned until libtorch has read them (see AdamOptimizer's remarks); a + b would add with a temporary 1.
        using var one = 1.ToScalar();
        using var labelShare = (1 - DistillationWeight).ToScalar();
        using var distillationShare = DistillationWeight.ToScalar();
        for (int i = 0; i < logits.Length; i++)
        {
            crossEntropies[i] = nn.functional.cross_entropy(logits[i], labels);
            correct[i] = logits[i].argmax(1).eq(labels).sum();
            using var weight = LevelWeights[Levels[i] - 1].ToScalar();
            var loss = targets is null || i == teacher
                ? crossEntropies[i]
                : crossEntropies[i].mul(labelShare).add(SoftCrossEntropy(logits[i], targets).mul(distillationShare), one);
            var weighted = loss.mul(weight);
            total = total is null ? weighted : total.add(weighted, one);
        }
        return (total!, crossEntropies, correct);
    }

    // Cross-entropy against a distribution: -sum_c p_c log q_c, averaged over the batch.
    private static Tensor SoftCrossEntropy(Tensor logits, Tensor targets) =>
        -(targets * nn.functional.log_softmax(logits, 1)).sum(1).mean();
}
