namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>An objective named 'throws' that fails for every trial with InvalidOperationException("no score").</summary>
internal sealed class ThrowingObjective : DvnSweepObjective
{
    public override string Name => "throws";

    public override double Score(IReadOnlyList<DvnSweepLevel> levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field) =>
        throw new InvalidOperationException("no score");
}
