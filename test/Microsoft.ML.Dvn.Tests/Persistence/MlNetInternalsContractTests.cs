using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// The library uses ML.NET internals where ML.NET has no public API (model save and load, output schema shapes, the
/// catalog's environment, cancellation, the context's seed, score annotations, ONNX export). These tests name every one of them, so a Microsoft.ML
/// upgrade that changes one fails here with its name rather than somewhere deep in a user's pipeline.
/// </summary>
[TestClass]
public sealed class MlNetInternalsContractTests
{
    private static readonly Assembly Core = typeof(ModelSaveContext).Assembly;
    private static readonly Assembly DataAssembly = typeof(TransformerChain<>).Assembly;
    private const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    [TestMethod]
    public void ModelSaveContextHasTheWriterAndTheMethodsTheTransformerSavesWith()
    {
        Assert.IsNotNull(typeof(ModelSaveContext).GetField("Writer", Any), "ModelSaveContext.Writer");
        Assert.IsNotNull(typeof(ModelSaveContext).GetMethod("CheckAtModel", Any, System.Type.EmptyTypes), "ModelSaveContext.CheckAtModel()");
        Assert.IsNotNull(typeof(ModelSaveContext).GetMethod("SetVersionInfo", Any, new[] { Internal("Microsoft.ML.VersionInfo") }), "ModelSaveContext.SetVersionInfo(VersionInfo)");
        Assert.IsNotNull(typeof(ModelSaveContext).GetMethod("SaveBinaryStream", Any, new[] { typeof(string), typeof(Action<BinaryWriter>) }), "ModelSaveContext.SaveBinaryStream");
    }

    [TestMethod]
    public void ModelLoadingHasTheContextVersionInfoAndLoadableClassAttributeTheLoaderUses()
    {
        var versionInfo = Internal("Microsoft.ML.VersionInfo");
        Assert.IsNotNull(versionInfo.GetConstructor(Any, new[] { typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string) }), "VersionInfo(string, uint, uint, uint, string, string, string)");
        var loadContext = Internal("Microsoft.ML.ModelLoadContext");
        Assert.IsNotNull(loadContext.GetMethod("CheckAtModel", Any, new[] { versionInfo }), "ModelLoadContext.CheckAtModel(VersionInfo)");
        Assert.IsNotNull(loadContext.GetMethod("TryLoadBinaryStream", Any, new[] { typeof(string), typeof(Action<BinaryReader>) }), "ModelLoadContext.TryLoadBinaryStream");
        // The model size limit reads the DVN entry's declared size before ML.NET extracts it.
        Assert.IsNotNull(loadContext.GetField("Repository", Any), "ModelLoadContext.Repository");
        Assert.IsNotNull(loadContext.GetField("Directory", Any), "ModelLoadContext.Directory");
        var reader = Internal("Microsoft.ML.RepositoryReader");
        Assert.AreEqual(typeof(Dictionary<string, System.IO.Compression.ZipArchiveEntry>), reader.GetField("_entries", Any)?.FieldType, "RepositoryReader._entries");
        Assert.IsNotNull(Internal("Microsoft.ML.Repository").GetMethod("GetPath", Any,
            new[] { typeof(string).MakeByRefType(), typeof(string).MakeByRefType(), typeof(string), typeof(string), typeof(bool) }), "Repository.GetPath");
        Assert.IsNotNull(Internal("Microsoft.ML.LoadableClassAttribute").GetConstructor(Any, new[] { typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[]) }), "LoadableClassAttribute(Type, Type, Type, string, params string[])");
        Assert.IsNotNull(Internal("Microsoft.ML.SignatureLoadModel"), "SignatureLoadModel");
        var attribute = typeof(DvnTransformer).Assembly.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType.Name == "LoadableClassAttribute");
        Assert.IsNotNull(attribute, "the DVN assembly carries no LoadableClass attribute");
        Assert.AreEqual("DvnTransformer", ((IEnumerable<CustomAttributeTypedArgument>)attribute.ConstructorArguments[4].Value!).Single().Value);
    }

    [TestMethod]
    public void SchemaShapeColumnsCanBeBuiltAndFound()
    {
        Assert.IsNotNull(typeof(SchemaShape.Column).GetConstructor(Any, new[] { typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape) }), "SchemaShape.Column(string, VectorKind, DataViewType, bool, SchemaShape)");
        Assert.IsNotNull(typeof(SchemaShape).GetMethod("TryFindColumn", Any), "SchemaShape.TryFindColumn");
    }

    [TestMethod]
    public void TheCatalogEnvironmentCancellationAndSeedAreWhereTheEstimatorLooks()
    {
        var catalog = DataAssembly.GetType("Microsoft.ML.Data.IInternalCatalog") ?? Internal("Microsoft.ML.Data.IInternalCatalog");
        Assert.IsNotNull(catalog.GetProperty("Environment", Any), "IInternalCatalog.Environment");
        Assert.IsTrue(catalog.IsAssignableFrom(typeof(MulticlassClassificationCatalog.MulticlassClassificationTrainers)), "the trainers catalog is no IInternalCatalog");
        Assert.IsNotNull(Internal("Microsoft.ML.Runtime.ICancelable").GetProperty("IsCanceled", Any), "ICancelable.IsCanceled");
        Assert.IsNotNull(Internal("Microsoft.ML.Runtime.IHostEnvironmentInternal").GetProperty("Seed", Any), "IHostEnvironmentInternal.Seed");
        Assert.IsTrue(Internal("Microsoft.ML.Runtime.IHostEnvironmentInternal").IsAssignableFrom(typeof(MLContext)), "MLContext is no IHostEnvironmentInternal");
    }

    [TestMethod]
    public void ScoreAnnotationsUseTheScoreSetTypeAndSearchAndTheTrainerAnnotationShapes()
    {
        var utils = Internal("Microsoft.ML.Data.AnnotationUtils");
        Assert.IsNotNull(utils.GetProperty("ScoreColumnSetIdType", Any), "AnnotationUtils.ScoreColumnSetIdType");
        Assert.IsNotNull(utils.GetMethod("GetMaxAnnotationKind", Any), "AnnotationUtils.GetMaxAnnotationKind");
        Assert.IsNotNull(utils.GetMethod("GetTrainerOutputAnnotation", Any), "AnnotationUtils.GetTrainerOutputAnnotation");
        // The kinds and their values are constants, compiled into the library; a rename in ML.NET would not show at run time.
        var kinds = utils.GetNestedType("Kinds", Any)!;
        foreach (var kind in new[] { "ScoreColumnSetId", "ScoreColumnKind", "ScoreValueKind", "TrainingLabelValues" })
            Assert.AreEqual(kind, kinds.GetField(kind, Any)?.GetRawConstantValue(), $"AnnotationUtils.Kinds.{kind}");
        var constants = utils.GetNestedType("Const", Any)!;
        Assert.AreEqual("MulticlassClassification", constants.GetNestedType("ScoreColumnKind", Any)!.GetField("MulticlassClassification", Any)?.GetRawConstantValue());
        foreach (var valueKind in new[] { "Score", "PredictedLabel" })
            Assert.AreEqual(valueKind, constants.GetNestedType("ScoreValueKind", Any)!.GetField(valueKind, Any)?.GetRawConstantValue(), $"ScoreValueKind.{valueKind}");
    }

    [TestMethod]
    public void OnnxExportHasTheTransformInterfacesAndTheContextMembersTheGraphIsWrittenWith()
    {
        var transform = DataAssembly.GetType("Microsoft.ML.Model.OnnxConverter.ITransformCanSaveOnnx") ?? throw new AssertFailedException("ITransformCanSaveOnnx");
        Assert.IsTrue(transform.IsAssignableFrom(DvnDataView), "the DVN's data view is no ITransformCanSaveOnnx");
        Assert.IsNotNull(Internal("Microsoft.ML.Data.IDataTransform").GetProperty("Source", Any), "IDataTransform.Source");
        var context = DataAssembly.GetType("Microsoft.ML.Model.OnnxConverter.OnnxContext")!;
        Assert.IsNotNull(DataAssembly.GetType("Microsoft.ML.Model.OnnxConverter.ICanSaveOnnx")!.GetMethod("CanSaveOnnx", Any, new[] { context }), "ICanSaveOnnx.CanSaveOnnx");
        Assert.IsNotNull(DataAssembly.GetType("Microsoft.ML.Model.OnnxConverter.ISaveAsOnnx")!.GetMethod("SaveAsOnnx", Any, new[] { context }), "ISaveAsOnnx.SaveAsOnnx");
        foreach (var (name, parameters) in new[]
        {
            ("ContainsColumn", new[] { typeof(string) }),
            ("GetVariableName", new[] { typeof(string) }),
            ("GetNodeName", new[] { typeof(string) }),
            ("CheckOpSetVersion", new[] { typeof(int), typeof(string) }),
            ("AddIntermediateVariable", new[] { typeof(DataViewType), typeof(string), typeof(bool) }),
            ("CreateNode", new[] { typeof(IEnumerable<string>), typeof(IEnumerable<string>), typeof(string), typeof(string) }),
            ("AddInitializer", new[] { typeof(IEnumerable<float>), typeof(IEnumerable<long>), typeof(string), typeof(bool) }),
            ("AddInitializer", new[] { typeof(IEnumerable<long>), typeof(IEnumerable<long>), typeof(string), typeof(bool) }),
            ("AddInitializer", new[] { typeof(IEnumerable<ulong>), typeof(bool), typeof(IEnumerable<long>), typeof(string), typeof(bool) }),
        })
        {
            var signature = name == "CreateNode" ? parameters.Prepend(typeof(string)).ToArray() : parameters;
            Assert.IsNotNull(context.GetMethod(name, Any, signature), $"OnnxContext.{name}({string.Join(", ", signature.Select(p => p.Name))})");
        }
        var node = DataAssembly.GetType("Microsoft.ML.Model.OnnxConverter.OnnxNode")!;
        foreach (var value in new[] { typeof(long), typeof(double), typeof(Type), typeof(IEnumerable<long>) })
            Assert.IsNotNull(node.GetMethod("AddAttribute", Any, new[] { typeof(string), value }), $"OnnxNode.AddAttribute(string, {value.Name})");
    }

    [TestMethod]
    public void TheOnnxModelBuilderHasTheConstructorAndMembersTheDirectExportUses()
    {
        var converter = typeof(OnnxExportExtensions).Assembly;
        var impl = converter.GetType("Microsoft.ML.Model.OnnxConverter.OnnxContextImpl") ?? throw new AssertFailedException("OnnxContextImpl");
        var version = DataAssembly.GetType("Microsoft.ML.Model.OnnxConverter.OnnxVersion")!;
        Assert.IsNotNull(impl.GetConstructor(Any, new[] { typeof(Microsoft.ML.Runtime.IHostEnvironment), typeof(string), typeof(string), typeof(string), typeof(long), typeof(string), version, typeof(int) }),
            "OnnxContextImpl(IHostEnvironment, string, string, string, long, string, OnnxVersion, int)");
        Assert.IsNotNull(impl.GetMethod("AddInputVariable", Any, new[] { typeof(DataViewType), typeof(string) }), "OnnxContextImpl.AddInputVariable");
        Assert.IsNotNull(impl.GetMethod("AddOutputVariable", Any, new[] { typeof(DataViewType), typeof(string), typeof(List<long>) }), "OnnxContextImpl.AddOutputVariable");
        Assert.IsNotNull(impl.GetMethod("MakeModel", Any, Type.EmptyTypes), "OnnxContextImpl.MakeModel");
    }

    private static readonly Type DvnDataView = typeof(DvnTransformer).Assembly.GetType("Microsoft.ML.Dvn.Pipeline.DvnDataView")!;

    private static Type Internal(string name) =>
        Core.GetType(name) ?? DataAssembly.GetType(name) ?? throw new AssertFailedException($"ML.NET has no type {name} any more");
}
