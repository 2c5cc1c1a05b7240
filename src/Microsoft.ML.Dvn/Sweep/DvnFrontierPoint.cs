namespace Microsoft.ML.Dvn;

/// <summary>A point of a task's accuracy/size frontier: one level of one completed trial.</summary>
/// <param name="Trial">The trial's id.</param>
/// <param name="Level">The level, 1-based.</param>
/// <param name="ParameterCount">The parameters its prediction reads.</param>
/// <param name="Accuracy">Its held-out accuracy.</param>
public sealed record DvnFrontierPoint(int Trial, int Level, long ParameterCount, double Accuracy);
