using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples;

/// <summary>A console program's commands by name, and how it ends: 0 done, 1 data missing, 2 a command line to change.</summary>
internal static class ConsoleCommands
{
    /// <summary>Runs <paramref name="command"/> with its options; <c>help</c>, <c>-h</c> and <c>--help</c> print <paramref name="usage"/>.</summary>
    public static int Run(string command, string[] options, IReadOnlyDictionary<string, Action<string[]>> commands, string usage)
    {
        try
        {
            if (command is "help" or "-h" or "--help")
                Console.WriteLine(usage);
            else if (commands.TryGetValue(command, out var run))
                run(options);
            else
                throw new UsageException($"Unknown command '{command}'.");
            return 0;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("Run with 'help' for the commands and their options.");
            return 2;
        }
        catch (MissingDataException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

}
