namespace Microsoft.ML.Dvn.Model;

/// <summary>What the model says about one level of one task: its number as users see it, its size and its units.</summary>
/// <param name="Level">The level, 1-based, as reported in the Level column.</param>
/// <param name="ParameterCount">Every stored number its prediction reads.</param>
/// <param name="Units">Its units, 1-based, ascending.</param>
internal sealed record LevelDescriptor(int Level, long ParameterCount, int[] Units);
