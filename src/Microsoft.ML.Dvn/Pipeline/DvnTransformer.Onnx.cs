using Microsoft.ML.Dvn.Onnx;

namespace Microsoft.ML.Dvn;

public sealed partial class DvnTransformer
{
    /// <summary>
    /// Writes this transformer's network as an ONNX model, for ONNX Runtime on a device or anywhere without ML.NET and
    /// TorchSharp. Only a transformer that serves one (task, level) exports: extract it first with
    /// <see cref="ExtractSubnetwork"/>; a full DVN throws <see cref="InvalidOperationException"/> saying so.
    /// </summary>
    /// <remarks>
    /// The graph's one input is the features column (float [rows, feature length], its name); its outputs are named
    /// as the transformer's columns: Score (float [rows, label keys]), PredictedLabel (uint32 label key [rows, 1]),
    /// Level (uint32 [rows, 1]) and ParameterCount (int64 [rows, 1]). It holds that level's parameters only (4 bytes
    /// each) and reads no task or budget: it predicts every row with its one level, and non-finite features give NaN
    /// scores instead of an error. Within an ML.NET pipeline (key mappings, normalization before it),
    /// <c>mlContext.Model.ConvertToOnnx(model, data, stream)</c> exports the whole pipeline, this level included.
    /// </remarks>
    /// <example>
    /// <code>
    /// using var file = File.Create("task2-level1.onnx");
    /// dvn.ExtractSubnetwork(task: 2, level: 1).ExportOnnx(file);
    /// </code>
    /// </example>
    /// <param name="stream">Where the ONNX model (protobuf) is written.</param>
    public void ExportOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        OnnxExport.Write(_env, Model, stream);
    }
}
