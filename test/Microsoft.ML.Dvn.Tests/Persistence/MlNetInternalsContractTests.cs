using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// The library uses ML.NET internals where ML.NET has no public API (model save and load, output schema shapes, the
/// catalog's environment, cancellation, the context's seed). These tests name every one of them, so a Microsoft.ML
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

    private static Type Internal(string name) =>
        Core.GetType(name) ?? DataAssembly.GetType(name) ?? throw new AssertFailedException($"ML.NET has no type {name} any more");
}
