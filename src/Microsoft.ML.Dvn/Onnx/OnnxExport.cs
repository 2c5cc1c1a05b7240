using Google.Protobuf;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Model;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Dvn.Onnx;

/// <summary>What may be exported to ONNX, and the export of a transformer on its own (outside an ML.NET pipeline).</summary>
internal static class OnnxExport
{
    /// <summary>
    /// Only a model that serves one (task, level) exports: a graph cannot refuse a row as Transform does (another
    /// task, a budget below every level), and a graph that ran every level of every task to pick one a row would ship
    /// the whole network to a device that has room for one level, which is what extraction is for.
    /// </summary>
    public static void EnsureOneLevel(DvnModel model)
    {
        if (model.Served.Count == 1 && model.Network.NumberOfLevels == 1)
            return;
        throw new InvalidOperationException(
            $"ONNX export needs a DVN transformer that serves one (task, level); this one serves {model.Served.Count} task(s) " +
            $"({model.DescribeServedTasks()}) with {model.Network.NumberOfLevels} level(s) each. Extract the one to deploy first, " +
            "for example dvn.ExtractSubnetwork(task, level), and export that (in its pipeline with mlContext.Model.ConvertToOnnx, or with ExportOnnx).");
    }

    /// <summary>
    /// A graph with one input, the features (float [rows, feature length], named as the features column), and the
    /// four output columns, named as they are; nothing of the pipeline around the transformer.
    /// </summary>
    /// <remarks>
    /// OnnxContextImpl, its input and output declarations and the ONNX protobuf classes are internal to
    /// Microsoft.ML.OnnxConverter (used through the publicized reference, see Internals/): ML.NET builds every ONNX
    /// model with them, and exposes only whole-pipeline conversion, whose graph inputs are the pipeline's input
    /// columns (here it would need a task column that the graph never reads).
    /// </remarks>
    public static void Write(IHostEnvironment env, DvnModel model, Stream stream)
    {
        EnsureOneLevel(model);
        var version = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0";
        var ctx = new OnnxContextImpl(env, "dvn", "Microsoft.ML.Dvn", version, 0, "microsoft.ml.dvn", OnnxVersion.Stable);
        ctx.AddInputVariable(new VectorDataViewType(NumberDataViewType.Single, model.Network.InputSize), model.Columns.Features);
        var outputs = OutputSchema.Build(model, new DataViewSchema.Builder().ToSchema());
        LevelGraph.Write(ctx, model, ctx.GetVariableName(model.Columns.Features), outputs);
        foreach (var column in outputs)
            ctx.AddOutputVariable(column.Type, ctx.GetVariableName(column.Name));
        ctx.MakeModel().WriteTo(stream);
    }
}
