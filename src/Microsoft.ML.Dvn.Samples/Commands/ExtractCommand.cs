using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples.Commands;

/// <summary>
/// Cuts one (task, level) out of a saved DVN as a model of its own that stores only what that level reads, the way a
/// device with a fixed memory budget would deploy it.
/// </summary>
internal static class ExtractCommand
{
    public const string Usage =
        "extract --model PATH --task fine|coarse|inverted --level J --out PATH [--onnx PATH]\n" +
        "    Saves the sub-network of one (task, level) as a smaller model that 'predict' can use;\n" +
        "    --onnx also writes it, with the pipeline around it, as an ONNX model for ONNX Runtime.";

    public static void Run(Arguments args)
    {
        string modelPath = args.RequiredText("model");
        string task = args.Choice("task", Scenario.TaskNames.ToArray()) ?? throw new UsageException("'extract' needs --task.");
        int level = args.Integer("level", minimum: 1) ?? throw new UsageException("'extract' needs --level.");
        string output = args.RequiredText("out");
        string? onnx = args.Text("onnx");
        args.RejectUnknown();

        var info = ModelInfo.Load(modelPath);
        var ml = new MLContext();
        var pipeline = DvnPipeline.Load(ml, modelPath);
        var levels = PredictCommand.ServedLevels(pipeline.Dvn, task, modelPath);
        var chosen = levels.FirstOrDefault(l => l.Level == level)
                     ?? throw new UsageException($"{modelPath} has no level {level} of {task}; its levels are {string.Join(", ", levels.Select(l => l.Level))}.");

        var extracted = pipeline.With(pipeline.Dvn.ExtractSubnetwork(chosen.Task, level));
        extracted.Save(ml, output);
        info.Save(output);
        if (onnx is not null)
            extracted.SaveOnnx(ml, onnx);

        Console.WriteLine($"  {"model",-40} {"stored parameters",18} {"file bytes",12}");
        Console.WriteLine($"  {modelPath,-40} {pipeline.Dvn.StoredParameterCount,18:N0} {new FileInfo(modelPath).Length,12:N0}");
        Console.WriteLine($"  {output,-40} {extracted.Dvn.StoredParameterCount,18:N0} {new FileInfo(output).Length,12:N0}");
        if (onnx is not null)
            Console.WriteLine($"  {onnx,-40} {extracted.Dvn.StoredParameterCount,18:N0} {new FileInfo(onnx).Length,12:N0}");
        Console.WriteLine($"{task} level {level} reads {chosen.ParameterCount:N0} parameters (units {string.Join(", ", chosen.Units)}); " +
                          $"try: predict --model {output} --task {task} --budget {chosen.ParameterCount}");
        if (onnx is not null)
            Console.WriteLine($"{onnx}: ONNX Runtime feeds it Features (float[{ImageSet.PixelCount}]), Label, Task and MemoryBudget (the key " +
                              "mappings read Label and Task, the network only Features) and gets Score.output, PredictedLabel.output (text), " +
                              "Level.output and ParameterCount.output.");
    }
}
