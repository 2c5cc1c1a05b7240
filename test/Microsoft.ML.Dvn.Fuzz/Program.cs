using Microsoft.ML.Dvn.Fuzz;

// Commands (build/fuzz.sh runs them):
//   seeds DIR        writes the seed inputs: small valid models of both formats, as fuzz inputs
//   afl              the AFL++ target: reads inputs from AFL through SharpFuzz's fork server
//   replay PATH...   runs inputs (files, or every file of a folder) through the same check; exit code 1 if any fails it
switch (args.FirstOrDefault())
{
    case "seeds" when args.Length == 2:
        Directory.CreateDirectory(args[1]);
        foreach (var (name, input) in Seeds.Inputs())
            File.WriteAllBytes(Path.Combine(args[1], name), input);
        return 0;
    case "afl" when args.Length == 1:
        // Instrumented code runs only inside Fuzzer.Run (its coverage map is set up there): warm up on the first input.
        bool warm = false;
        SharpFuzz.Fuzzer.Run(stream =>
        {
            if (!warm)
            {
                ReaderCheck.Warm();
                warm = true;
            }
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            ReaderCheck.Run(copy.ToArray());
        });
        return 0;
    case "replay" when args.Length >= 2:
        ReaderCheck.Warm();
        var files = args[1..].SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order().ToArray() : new[] { p }).ToArray();
        int failed = 0;
        foreach (var file in files)
        {
            try
            {
                Console.WriteLine($"{file}: {ReaderCheck.Run(File.ReadAllBytes(file))}");
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"{file}: FAILED {e.GetType().Name}: {e.Message}");
            }
        }
        Console.WriteLine($"{files.Length} inputs, {failed} failed the check");
        return failed == 0 ? 0 : 1;
    default:
        Console.Error.WriteLine("usage: Microsoft.ML.Dvn.Fuzz seeds DIR | afl | replay PATH...");
        return 2;
}
