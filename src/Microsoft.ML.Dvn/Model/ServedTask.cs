namespace Microsoft.ML.Dvn.Model;

/// <summary>One task a model serves: its key in the task column, its classes and its levels.</summary>
/// <param name="Key">The task key (1-based value of the task column).</param>
/// <param name="Classes">The label key (1-based) of each of the task's classes, in the head's order.</param>
/// <param name="Levels">Its levels, smallest first.</param>
internal sealed record ServedTask(int Key, uint[] Classes, LevelDescriptor[] Levels);
