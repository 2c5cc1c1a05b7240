using Microsoft.ML.Dvn.Samples;
using Microsoft.ML.Dvn.Samples.Data;
using Microsoft.ML.Dvn.Samples.Images;

// dotnet run -c Release --project src/Microsoft.ML.Dvn.Samples.Images -- [options]
if (args is ["--help" or "-h" or "help"])
{
    Console.WriteLine(ImagesCommand.Usage);
    return 0;
}
try
{
    ImagesCommand.Run(Arguments.Parse("images", args));
    return 0;
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(ImagesCommand.Usage);
    return 2;
}
catch (MissingDataException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
