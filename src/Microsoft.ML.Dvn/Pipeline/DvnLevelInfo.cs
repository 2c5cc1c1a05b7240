namespace Microsoft.ML.Dvn;

/// <summary>One level of one task's virtual network: what it costs and which units it uses.</summary>
/// <param name="Task">The task key (1-based, as in the task column).</param>
/// <param name="Level">The level, 1-based; higher levels contain the lower ones.</param>
/// <param name="ParameterCount">Every stored number this level's prediction reads: weight blocks, its normalizations
/// (scale, shift, running mean and variance) and its head. A budget of at least this size selects it.</param>
/// <param name="Units">The units it uses, 1-based, ascending.</param>
public sealed record DvnLevelInfo(int Task, int Level, long ParameterCount, IReadOnlyList<int> Units);
