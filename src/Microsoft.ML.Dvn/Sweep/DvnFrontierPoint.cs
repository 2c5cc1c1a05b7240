using System.ComponentModel;

namespace Microsoft.ML.Dvn;

/// <summary>A point of a task's accuracy/size frontier: one level of one completed trial.</summary>
/// <param name="Trial">The trial's id.</param>
/// <param name="Level">The level, 1-based.</param>
/// <param name="ParameterCount">The parameters its prediction reads.</param>
/// <param name="MicroAccuracy">Its held-out micro-accuracy (<see cref="DvnSweepLevel.MicroAccuracy"/>).</param>
public sealed record DvnFrontierPoint(int Trial, int Level, long ParameterCount, double MicroAccuracy)
{
    /// <summary>0.2.0's name of <see cref="MicroAccuracy"/>.</summary>
    [Obsolete("Use MicroAccuracy, as DvnLevelMetrics and DvnSweepLevel name it.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public double Accuracy => MicroAccuracy;
}
