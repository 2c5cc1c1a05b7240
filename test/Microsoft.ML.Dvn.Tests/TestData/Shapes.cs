using System.Reflection;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>
/// SchemaShape.Create(DataViewSchema) is internal to ML.NET; EstimatorChain uses it to check a pipeline up front.
/// Tests reach it by reflection to call GetOutputSchema the way ML.NET does.
/// </summary>
internal static class Shapes
{
    public static SchemaShape Of(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Static, new[] { typeof(DataViewSchema) })!
            .Invoke(null, new object[] { schema })!;
}
