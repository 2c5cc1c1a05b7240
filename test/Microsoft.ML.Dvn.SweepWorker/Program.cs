// Usage: Microsoft.ML.Dvn.SweepWorker <sqlite|postgres> <path or connection string> <lease seconds> <Random|Halving>
// Runs the tests' worker sweep as one worker of the study and prints how many trials it finished.
using Microsoft.ML.Dvn;
using Microsoft.ML.Dvn.Tests.TestData;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: Microsoft.ML.Dvn.SweepWorker <sqlite|postgres> <path or connection string> <lease seconds> <Random|Halving>");
    return 2;
}
var study = WorkerSweep.Study(args[0], args[1], double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
var result = WorkerSweep.Run(study, Enum.Parse<DvnSweepStrategy>(args[3]));
Console.WriteLine($"trials {result.Trials.Count}");
return 0;
