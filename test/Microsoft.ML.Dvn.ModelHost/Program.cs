// Usage: Microsoft.ML.Dvn.ModelHost <model.zip> <input.idv> <output.idv> [register]
// Loads the model in this (new) process and writes its output columns for the input rows.
using Microsoft.ML;
using Microsoft.ML.Dvn;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Microsoft.ML.Dvn.ModelHost <model.zip> <input.idv> <output.idv> [register]");
    return 2;
}

var ml = new MLContext();
if (args.Length > 3 && args[3] == "register")
    ml.ComponentCatalog.RegisterAssembly(typeof(DvnTransformer).Assembly);
var model = ml.Model.Load(args[0], out _);
var input = ml.Data.LoadFromBinary(args[1]);
var output = model.Transform(input);
var columns = new[] { "Score", "PredictedLabel", "Level", "ParameterCount" };
using (var file = File.Create(args[2]))
    ml.Data.SaveAsBinary(ml.Transforms.SelectColumns(columns).Fit(output).Transform(output), file);
return 0;
