using Microsoft.ML.Dvn.Samples;
using Microsoft.ML.Dvn.Samples.Commands;
using Microsoft.ML.Dvn.Samples.Data;

// dotnet run -c Release --project src/Microsoft.ML.Dvn.Samples -- [command] [options]
bool named = args.Length > 0 && (!args[0].StartsWith("--", StringComparison.Ordinal) || args[0] == "--help");
string command = named ? args[0] : "train";
string[] options = named ? args[1..] : args;
try
{
    switch (command)
    {
        case "train":
            TrainCommand.Run(Arguments.Parse(command, options));
            break;
        case "predict":
            PredictCommand.Run(Arguments.Parse(command, options));
            break;
        case "extract":
            ExtractCommand.Run(Arguments.Parse(command, options));
            break;
        case "quickstart":
            QuickStart.Run();
            break;
        case "benchmark":
            BenchmarkCommand.Run(Arguments.Parse(command, options, "quick"));
            break;
        case "stress":
            StressCommand.Run(Arguments.Parse(command, options));
            break;
        case "throughput":
            ThroughputCommand.Run(Arguments.Parse(command, options));
            break;
        case "sweep":
            SweepCommand.Run(Arguments.Parse(command, options, "quick", "join", "report-only"));
            break;
        case "soak":
            SoakCommand.Run(Arguments.Parse(command, options));
            break;
        case "stream":
            StreamCommand.Run(Arguments.Parse(command, options, "evaluate"));
            break;
        case "help" or "-h" or "--help":
            PrintUsage(Console.Out);
            break;
        default:
            throw new UsageException($"Unknown command '{command}'.");
    }
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

static void PrintUsage(TextWriter writer) => writer.WriteLine(
    "Deep Virtual Networks in ML.NET: samples. Commands (no command means 'train'):\n" +
    $"  {QuickStart.Usage}\n  {TrainCommand.Usage}\n  {PredictCommand.Usage}\n  {ExtractCommand.Usage}\n  {BenchmarkCommand.Usage}\n  {SweepCommand.Usage}\n  {SoakCommand.Usage}\n  {StressCommand.Usage}\n  {ThroughputCommand.Usage}\n  {StreamCommand.Usage}");
