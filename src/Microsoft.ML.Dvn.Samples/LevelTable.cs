namespace Microsoft.ML.Dvn.Samples;

/// <summary>Prints how every (task, level) did on test rows.</summary>
internal static class LevelTable
{
    public static void Print(IReadOnlyList<DvnLevelMetrics> levels, IReadOnlyList<string> taskNames)
    {
        Console.WriteLine($"  {"task",-9} {"level",5} {"parameters",11} {"accuracy",9} {"macro acc.",10} {"log-loss",9} {"rows",7}");
        foreach (var l in levels)
            Console.WriteLine($"  {taskNames[l.Task - 1],-9} {l.Level,5} {l.ParameterCount,11:N0} {l.MicroAccuracy,9:0.0%} " +
                              $"{l.MacroAccuracy,10:0.0%} {l.LogLoss,9:F3} {l.RowCount,7:N0}");
    }
}
