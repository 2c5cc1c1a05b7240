using Microsoft.ML.Dvn.Samples;
using Microsoft.ML.Dvn.Samples.Commands;

// dotnet run -c Release --project src/Microsoft.ML.Dvn.Samples -- [command] [options]
bool named = args.Length > 0 && (!args[0].StartsWith("--", StringComparison.Ordinal) || args[0] == "--help");
string command = named ? args[0] : "train";
return ConsoleCommands.Run(command, named ? args[1..] : args, new Dictionary<string, Action<string[]>>
{
    ["train"] = options => TrainCommand.Run(Arguments.Parse("train", options)),
    ["predict"] = options => PredictCommand.Run(Arguments.Parse("predict", options)),
    ["extract"] = options => ExtractCommand.Run(Arguments.Parse("extract", options)),
    ["quickstart"] = _ => QuickStart.Run(),
    ["images"] = options => ImagesCommand.Run(Arguments.Parse("images", options)),
    ["sweep"] = options => SweepCommand.Run(Arguments.Parse("sweep", options, "quick", "join", "report-only")),
},
    "Deep Virtual Networks in ML.NET: samples. Commands (no command means 'train'):\n" +
    $"  {QuickStart.Usage}\n  {TrainCommand.Usage}\n  {PredictCommand.Usage}\n  {ExtractCommand.Usage}\n  {ImagesCommand.Usage}\n  {SweepCommand.Usage}\n" +
    "Benchmarks, measurements and sweep plots (benchmark, soak, stress, throughput, stream, sweep-plots): dotnet run -c Release --project src/Microsoft.ML.Dvn.Benchmarks -- help");
