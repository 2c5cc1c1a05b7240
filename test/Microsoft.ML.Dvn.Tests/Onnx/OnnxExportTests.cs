using System.Text.RegularExpressions;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Dvn.Tests.Onnx;

/// <summary>
/// An extracted (task, level) exported to ONNX, through ML.NET's ConvertToOnnx as part of its pipeline and through
/// DvnTransformer.ExportOnnx, run by ONNX Runtime (directly and through ML.NET's ApplyOnnxModel) on 1,000 rows and
/// compared with Transform; and a full DVN, which must refuse to export.
/// </summary>
[TestClass]
public sealed class OnnxExportTests
{
    private const int RowCount = 1000;
    private const double Tolerance = 1e-5;
    private static readonly Regex WeightName = new(@"^dvn\.(conv|fc|norm)\d+\.|^dvn\.head\.");

    private static MLContext _ml = null!;
    private static ExportCase _mlp = null!;
    private static ExportCase _cnn = null!;

    [ClassInitialize]
    public static void Train(TestContext _)
    {
        _ml = new MLContext(seed: 1);
        var mlp = MlNetTasks.Pipeline(_ml, MlNetTasks.Options(epochs: 4)).Fit(_ml.Data.LoadFromEnumerable(MlNetTasks.Rows(100, seed: 1)));
        // gamma's labels are keys 3, 6, 9 and 12 of the shared label column: the scores go to slots that are not 1..4.
        _mlp = new ExportCase(_ml, mlp, task: 3, level: 2,
            _ml.Data.LoadFromEnumerable(MlNetTasks.Rows(RowCount, seed: 2).Where(r => r.Task == "gamma").ToList()));
        var cnn = ImageTasks.Pipeline(_ml).Fit(_ml.Data.LoadFromEnumerable(ImageTasks.Rows(100, 1, 1, 2, 3)));
        _cnn = new ExportCase(_ml, cnn, task: 1, level: 2, _ml.Data.LoadFromEnumerable(ImageTasks.Rows(RowCount, 2, 1)));
    }

    private static ExportCase Case(string kind) => kind == "mlp" ? _mlp : _cnn;

    [TestMethod]
    [DataRow("mlp", new[] { "Gemm", "BatchNormalization", "Relu", "Softmax" })]
    [DataRow("cnn", new[] { "Conv", "BatchNormalization", "Relu", "MaxPool", "Gemm", "Softmax" })]
    public void ConvertToOnnxOfThePipelineGivesTransformsColumnsInOnnxRuntime(string kind, string[] operators)
    {
        var c = Case(kind);
        byte[] model = c.ConvertToOnnx();

        var graph = OnnxGraph.Read(model);
        CollectionAssert.AreEquivalent(new[] { "Features", "Label", "Task", "MemoryBudget" }, graph.Inputs, "the graph's inputs are the pipeline's input columns");
        foreach (var op in operators)
            CollectionAssert.Contains(graph.Operators, op, $"{kind}: no {op} node");

        var outputs = OnnxRuntimeRun(model, c.Data);
        var expected = Predictions.Of(c.Pipeline.Transform(c.Data));
        AssertScores(expected.Scores, (float[])outputs["Score.output"], kind);
        CollectionAssert.AreEqual(expected.Labels, (string[])outputs["PredictedLabel.output"], $"{kind}: predicted labels");
        CollectionAssert.AreEqual(expected.Levels, (uint[])outputs["Level.output"], $"{kind}: levels");
        CollectionAssert.AreEqual(expected.ParameterCounts, (long[])outputs["ParameterCount.output"], $"{kind}: parameter counts");
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void ExportOnnxGivesTransformsColumnsFromTheFeaturesAlone(string kind)
    {
        var c = Case(kind);
        byte[] model = c.ExportOnnx();

        var graph = OnnxGraph.Read(model);
        CollectionAssert.AreEqual(new[] { "Features" }, graph.Inputs);
        CollectionAssert.AreEqual(new[] { "Score", "PredictedLabel", "Level", "ParameterCount" }, graph.Outputs);

        var outputs = OnnxRuntimeRun(model, c.Prepared);
        var transformed = c.Level.Transform(c.Prepared);
        AssertScores(MlNetTasks.Vectors(transformed, "Score"), (float[])outputs["Score"], kind);
        CollectionAssert.AreEqual(MlNetTasks.Column<uint>(transformed, "PredictedLabel"), (uint[])outputs["PredictedLabel"], $"{kind}: predicted label keys");
        CollectionAssert.AreEqual(MlNetTasks.Column<uint>(transformed, "Level"), (uint[])outputs["Level"], $"{kind}: levels");
        CollectionAssert.AreEqual(MlNetTasks.Column<long>(transformed, "ParameterCount"), (long[])outputs["ParameterCount"], $"{kind}: parameter counts");
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void TheExportedFileHoldsTheLevelsParametersAndASmallGraph(string kind)
    {
        var c = Case(kind);
        long parameters = c.Level.StoredParameterCount;
        foreach (var (how, model) in new[] { ("ExportOnnx", c.ExportOnnx()), ("ConvertToOnnx", c.ConvertToOnnx()) })
        {
            var weights = OnnxGraph.Read(model).Initializers.Where(i => WeightName.IsMatch(i.Key)).Sum(i => i.Value);
            Assert.AreEqual(parameters, weights, $"{kind}, {how}: the weights in the graph are the level's parameters");
            Console.WriteLine($"{kind}, {how}: {parameters:N0} parameters, {model.Length:N0} bytes");
        }
        int bytes = c.ExportOnnx().Length;
        Assert.IsTrue(bytes >= 4 * parameters && bytes <= 4 * parameters + 4096,
            $"{kind}: {bytes} bytes for {parameters} parameters; expected 4 bytes a parameter plus a graph of at most 4 KB");
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    public void ApplyOnnxModelRunsBothExportsInMlNet(string kind)
    {
        var c = Case(kind);
        string directory = Directory.CreateTempSubdirectory("dvn-onnx-").FullName;
        try
        {
            string level = Path.Combine(directory, "level.onnx"), pipeline = Path.Combine(directory, "pipeline.onnx");
            File.WriteAllBytes(level, c.ExportOnnx());
            File.WriteAllBytes(pipeline, c.ConvertToOnnx());

            var expected = MlNetTasks.Vectors(c.Level.Transform(c.Prepared), "Score");
            using (var applied = _ml.Transforms.ApplyOnnxModel(new[] { "Score" }, new[] { "Features" }, level).Fit(c.Prepared))
                AssertScores(expected, MlNetTasks.Vectors(applied.Transform(c.Prepared), "Score").SelectMany(s => s).ToArray(), $"{kind}, ExportOnnx");
            // ApplyOnnxModel names its columns after the graph's outputs without ML.NET's ".output" suffix.
            using (var applied = _ml.Transforms.ApplyOnnxModel(pipeline).Fit(c.Data))
            {
                var scored = applied.Transform(c.Data);
                AssertScores(expected, MlNetTasks.Vectors(scored, "Score").SelectMany(s => s).ToArray(), $"{kind}, ConvertToOnnx");
                var labels = Texts(scored, "PredictedLabel");
                CollectionAssert.AreEqual(Predictions.Of(c.Pipeline.Transform(c.Data)).Labels, labels, $"{kind}, ConvertToOnnx: predicted labels");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void AFullDvnDoesNotExportAndSaysToExtractALevelFirst()
    {
        var throughMlNet = Assert.ThrowsExactly<InvalidOperationException>(() => _ml.Model.ConvertToOnnx(_mlp.FullPipeline, _mlp.Data, new MemoryStream()));
        StringAssert.Contains(throughMlNet.Message, "serves 3 task(s)");
        StringAssert.Contains(throughMlNet.Message, "ExtractSubnetwork(task, level)");
        var direct = Assert.ThrowsExactly<InvalidOperationException>(() => _mlp.Full.ExportOnnx(new MemoryStream()));
        Assert.AreEqual(throughMlNet.Message, direct.Message);
    }

    private static void AssertScores(List<float[]> expected, float[] actual, string what)
    {
        int width = expected[0].Length;
        Assert.AreEqual(expected.Count * width, actual.Length, $"{what}: score values");
        for (int i = 0; i < expected.Count; i++)
            for (int k = 0; k < width; k++)
                Assert.AreEqual(expected[i][k], actual[i * width + k], Tolerance, $"{what}: row {i}, score {k}");
    }

    /// <summary>A [1, 1] text column (as ApplyOnnxModel makes one of a [rows, 1] tensor), one string a row.</summary>
    private static List<string> Texts(IDataView data, string name)
    {
        var texts = new List<string>();
        using var cursor = data.GetRowCursor(new[] { data.Schema[name] });
        var getter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(data.Schema[name]);
        var value = default(VBuffer<ReadOnlyMemory<char>>);
        while (cursor.MoveNext())
        {
            getter(ref value);
            texts.Add(value.GetItemOrDefault(0).ToString());
        }
        return texts;
    }

    /// <summary>Runs a model with ONNX Runtime, feeding every graph input from the column of the same name.</summary>
    private static Dictionary<string, Array> OnnxRuntimeRun(byte[] model, IDataView data)
    {
        using var session = new InferenceSession(model);
        var inputs = session.InputMetadata.Keys.Select(name => Input(data, name)).ToList();
        using var results = session.Run(inputs);
        return results.ToDictionary(r => r.Name, r => r.Value switch
        {
            Tensor<float> t => (Array)t.ToArray(),
            Tensor<string> t => t.ToArray(),
            Tensor<uint> t => t.ToArray(),
            Tensor<long> t => t.ToArray(),
            Tensor<double> t => t.ToArray(),
            var other => throw new AssertFailedException($"Output {r.Name} has unexpected type {other.GetType()}"),
        });
    }

    private static NamedOnnxValue Input(IDataView data, string name)
    {
        var type = data.Schema[name].Type;
        if (type is VectorDataViewType vector)
        {
            var rows = MlNetTasks.Vectors(data, name);
            return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(rows.SelectMany(r => r).ToArray(), new[] { rows.Count, vector.Size }));
        }
        if (type is TextDataViewType)
        {
            var text = MlNetTasks.Column<ReadOnlyMemory<char>>(data, name).Select(t => t.ToString()).ToArray();
            return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(text, new[] { text.Length, 1 }));
        }
        var numbers = MlNetTasks.Column<double>(data, name).ToArray();
        return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<double>(numbers, new[] { numbers.Length, 1 }));
    }

    /// <summary>A fitted pipeline, one (task, level) extracted from its DVN, and rows of that task.</summary>
    private sealed class ExportCase
    {
        private readonly MLContext _ml;

        public ExportCase(MLContext ml, ITransformer pipeline, int task, int level, IDataView data)
        {
            _ml = ml;
            var steps = ((IEnumerable<ITransformer>)pipeline).ToArray();
            int dvn = Array.FindIndex(steps, s => s is DvnTransformer);
            Full = (DvnTransformer)steps[dvn];
            Level = Full.ExtractSubnetwork(task, level);
            FullPipeline = pipeline;
            Pipeline = new TransformerChain<ITransformer>(steps[..dvn].Append(Level).Concat(steps[(dvn + 1)..]).ToArray());
            Data = data;
            Prepared = new TransformerChain<ITransformer>(steps[..dvn]).Transform(data);
        }

        public DvnTransformer Full { get; }

        public DvnTransformer Level { get; }

        public ITransformer FullPipeline { get; }

        /// <summary>The pipeline with the extracted level in place of the full DVN.</summary>
        public ITransformer Pipeline { get; }

        /// <summary>Raw rows of the extracted task.</summary>
        public IDataView Data { get; }

        /// <summary>The rows as the DVN sees them (keys mapped, features normalized).</summary>
        public IDataView Prepared { get; }

        public byte[] ConvertToOnnx()
        {
            using var stream = new MemoryStream();
            _ml.Model.ConvertToOnnx(Pipeline, Data, stream);
            return stream.ToArray();
        }

        public byte[] ExportOnnx()
        {
            using var stream = new MemoryStream();
            Level.ExportOnnx(stream);
            return stream.ToArray();
        }
    }
}
