using Microsoft.ML.Dvn.Benchmarks.Commands;

// dotnet run -c Release --project src/Microsoft.ML.Dvn.Benchmarks -- command [options]
return ConsoleCommands.Run(args.Length > 0 ? args[0] : "help", args.Length > 0 ? args[1..] : args, new Dictionary<string, Action<string[]>>
{
    ["benchmark"] = options => BenchmarkCommand.Run(Arguments.Parse("benchmark", options, "quick")),
    ["soak"] = options => SoakCommand.Run(Arguments.Parse("soak", options)),
    ["stress"] = options => StressCommand.Run(Arguments.Parse("stress", options)),
    ["throughput"] = options => ThroughputCommand.Run(Arguments.Parse("throughput", options)),
    ["stream"] = options => StreamCommand.Run(Arguments.Parse("stream", options, "evaluate")),
    ["sweep-plots"] = options => SweepPlotsCommand.Run(Arguments.Parse("sweep-plots", options)),
},
    "Deep Virtual Networks in ML.NET: benchmarks and measurements (docs/benchmarks.md). Commands:\n" +
    $"  {BenchmarkCommand.Usage}\n  {SoakCommand.Usage}\n  {StressCommand.Usage}\n  {ThroughputCommand.Usage}\n  {StreamCommand.Usage}\n  {SweepPlotsCommand.Usage}");
