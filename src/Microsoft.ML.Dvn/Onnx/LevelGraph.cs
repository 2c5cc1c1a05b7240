using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Model;
using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Model.OnnxConverter;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Onnx;

/// <summary>
/// Writes the one (task, level) a model serves into an ONNX graph: the computation of <see cref="DvnNetwork.Forward"/>
/// (Reshape, then Conv, BatchNormalization, Relu and MaxPool for each convolution, Flatten, Gemm, BatchNormalization
/// and Relu for each fully connected layer, the head's Gemm), Softmax, and the DVN's four output columns. The weights
/// become initializers holding that level's stored numbers and nothing else.
/// </summary>
/// <remarks>
/// OnnxContext and OnnxNode are internal to Microsoft.ML.Data (used through the publicized reference, see Internals/):
/// ML.NET's exporter hands every component of a pipeline this context to add its nodes to, and has no public API for
/// it. The graph reads only the features: a (task, level) model serves one task at one size, so the task and budget
/// columns choose nothing (where Transform refuses a row of another task or a budget below the level's size, the
/// graph predicts it all the same), and non-finite features give NaN scores where Transform throws.
/// </remarks>
internal sealed class LevelGraph
{
    // Gemm without a bias input (hidden layers have none: batch normalization follows) needs opset 11.
    private const int MinimumOpSet = 11;
    // DvnNetwork.Forward pools every convolution's output 2x2 with stride 2.
    private static readonly long[] Pooling = { 2, 2 };

    private readonly OnnxContext _ctx;

    private LevelGraph(OnnxContext ctx) => _ctx = ctx;

    /// <summary>
    /// Adds the nodes that compute <paramref name="outputs"/> (Score, PredictedLabel, Level and ParameterCount, as the
    /// transformer's output schema types and names them) from the ONNX variable holding the features.
    /// </summary>
    public static void Write(OnnxContext ctx, DvnModel model, string features, IReadOnlyList<DataViewSchema.Column> outputs)
    {
        OnnxExport.EnsureOneLevel(model);
        // The name ML.NET puts in its message when the opset is too old: the public transformer, not this internal writer.
        ctx.CheckOpSetVersion(MinimumOpSet, "DvnTransformer");
        var graph = new LevelGraph(ctx);
        var served = model.Served[0];
        string probabilities;
        using (NewDisposeScope())
            probabilities = graph.Probabilities(model.Network.Tensors(1, 1), features);

        graph.Score(probabilities, served.Classes, model.Labels.Count, Output(ctx, outputs[0]));
        string best = graph.Node("ArgMax", new[] { probabilities }, n => { n.AddAttribute("axis", 1L); n.AddAttribute("keepdims", 1L); });
        var keys = ctx.AddInitializer(served.Classes.Select(k => (long)k), new long[] { served.Classes.Length }, "dvn.classKeys");
        string label = graph.Node("Gather", new[] { keys, best }, n => n.AddAttribute("axis", 0L));
        graph.Node("Cast", new[] { label }, Output(ctx, outputs[1]), n => n.AddAttribute("to", typeof(uint)));

        // Level and ParameterCount are the same for every row: constants expanded to the batch's [rows, 1].
        string rows = graph.Node("Shape", new[] { best });
        var level = served.Levels[0];
        graph.Node("Expand", new[] { ctx.AddInitializer(new[] { (ulong)level.Level }, false, new long[] { 1, 1 }, "dvn.level"), rows }, Output(ctx, outputs[2]));
        graph.Node("Expand", new[] { ctx.AddInitializer(new[] { level.ParameterCount }, new long[] { 1, 1 }, "dvn.parameterCount"), rows }, Output(ctx, outputs[3]));
    }

    private string Probabilities(LevelTensors tensors, string features)
    {
        string hidden = features;
        var architecture = tensors.Architecture;
        int layer = 0;
        if (tensors.Convolutions.Length > 0)
        {
            var image = _ctx.AddInitializer(new long[] { -1, architecture.ImageChannels, architecture.ImageHeight, architecture.ImageWidth }, new long[] { 4 }, "dvn.imageShape");
            hidden = Node("Reshape", new[] { features, image });
            foreach (var kernels in tensors.Convolutions)
            {
                long size = kernels.shape[2];
                hidden = Node("Conv", new[] { hidden, Initializer(kernels, $"conv{layer}.weight") }, n =>
                {
                    n.AddAttribute("kernel_shape", new[] { size, size });
                    n.AddAttribute("pads", new[] { size / 2, size / 2, size / 2, size / 2 });
                    n.AddAttribute("strides", new long[] { 1, 1 });
                });
                hidden = Node("Relu", new[] { Normalization(hidden, tensors.Norms[layer], layer) });
                hidden = Node("MaxPool", new[] { hidden }, n => { n.AddAttribute("kernel_shape", Pooling); n.AddAttribute("strides", Pooling); });
                layer++;
            }
            hidden = Node("Flatten", new[] { hidden }, n => n.AddAttribute("axis", 1L));
        }
        foreach (var block in tensors.FullyConnected)
        {
            hidden = Node("Gemm", new[] { hidden, Initializer(block, $"fc{layer}.weight") }, n => n.AddAttribute("transB", 1L));
            hidden = Node("Relu", new[] { Normalization(hidden, tensors.Norms[layer], layer) });
            layer++;
        }
        string logits = Node("Gemm", new[] { hidden, Initializer(tensors.Head.Weight, "head.weight"), Initializer(tensors.Head.Bias, "head.bias") },
            n => n.AddAttribute("transB", 1L));
        return Node("Softmax", new[] { logits }, n => n.AddAttribute("axis", 1L));
    }

    private string Normalization(string input, LevelNorm norm, int layer) =>
        Node("BatchNormalization", new[]
        {
            input, Initializer(norm.Scale, $"norm{layer}.scale"), Initializer(norm.Shift, $"norm{layer}.shift"),
            Initializer(norm.RunningMean, $"norm{layer}.mean"), Initializer(norm.RunningVariance, $"norm{layer}.variance"),
        }, n => n.AddAttribute("epsilon", LevelNorm.Epsilon));

    // The Score vector has a slot for every label key; the task's probabilities go to their classes' keys, 0 elsewhere:
    // a product with a 0/1 placement matrix, exact in floating point (each slot is one probability times 1 plus zeros).
    private void Score(string probabilities, uint[] classes, int labelCount, string output)
    {
        if (classes.Select((key, c) => key == c + 1).All(same => same) && classes.Length == labelCount)
        {
            Node("Identity", new[] { probabilities }, output);
            return;
        }
        var placement = new float[checked(classes.Length * labelCount)];
        for (int c = 0; c < classes.Length; c++)
            placement[c * labelCount + (int)classes[c] - 1] = 1;
        Node("MatMul", new[] { probabilities, _ctx.AddInitializer(placement, new long[] { classes.Length, labelCount }, "dvn.scoreSlots") }, output);
    }

    private string Initializer(Tensor tensor, string name) =>
        _ctx.AddInitializer(tensor.detach().cpu().contiguous().data<float>().ToArray(), tensor.shape, $"dvn.{name}");

    private string Node(string op, string[] inputs, Action<OnnxNode>? attributes = null) =>
        Node(op, inputs, _ctx.AddIntermediateVariable(null, $"dvn.{op}", skip: true), attributes);

    private string Node(string op, string[] inputs, string output, Action<OnnxNode>? attributes = null)
    {
        // The empty domain is ONNX's standard operator set (ML.NET's default is the ai.onnx.ml domain).
        var node = _ctx.CreateNode(op, inputs, new[] { output }, _ctx.GetNodeName($"dvn.{op}"), "");
        attributes?.Invoke(node);
        return output;
    }

    private static string Output(OnnxContext ctx, DataViewSchema.Column column) => ctx.AddIntermediateVariable(column.Type, column.Name);
}
