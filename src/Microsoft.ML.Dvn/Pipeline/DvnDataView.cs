using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Onnx;
using Microsoft.ML.Model.OnnxConverter;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>The lazily transformed data: every cursor runs the network batch by batch as it goes.</summary>
/// <remarks>
/// It is an ML.NET data transform that can save itself as ONNX (<see cref="ITransformCanSaveOnnx"/> and the
/// <see cref="IDataTransform"/> it extends are internal to Microsoft.ML.Data; see Internals/): ML.NET's ONNX exporter
/// walks a transformed pipeline back from its end through <see cref="IDataTransform.Source"/> and stops at the first
/// view that is not such a transform, taking that view's columns as the graph's inputs. Without this, exporting a
/// pipeline that holds a DVN silently gave a graph whose inputs were the DVN's outputs.
/// </remarks>
internal sealed class DvnDataView : ITransformCanSaveOnnx
{
    private readonly BoundSchema _bound;
    private readonly IDataView _input;

    public DvnDataView(BoundSchema bound, IDataView input)
    {
        _bound = bound;
        _input = input;
    }

    public DataViewSchema Schema => _bound.Output;

    /// <summary>False: the two input cursors of a batch cursor must see the rows in the same order.</summary>
    public bool CanShuffle => false;

    public IDataView Source => _input;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new DvnBatchCursor(_bound, _input, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    /// <summary>
    /// True for a model of one (task, level); a full DVN throws rather than answer false, because on false ML.NET's
    /// exporter only logs a warning and writes a graph without the network.
    /// </summary>
    public bool CanSaveOnnx(OnnxContext ctx)
    {
        OnnxExport.EnsureOneLevel(_bound.Model);
        return true;
    }

    public void SaveAsOnnx(OnnxContext ctx)
    {
        string features = _bound.Features.Name;
        if (!ctx.ContainsColumn(features))
            throw new InvalidOperationException(
                $"The features column '{features}' has no value in the ONNX graph: a transform before the DVN could not export it to ONNX.");
        LevelGraph.Write(ctx, _bound.Model, ctx.GetVariableName(features), _bound.Output.Skip(_bound.Input.Count).ToArray());
    }

    /// <summary>Not saved on its own: the transformer is (mlContext.Model.Save), and applies itself to data again.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("A DVN's transformed data is not saved as a data transform; save the DvnTransformer with mlContext.Model.Save.");
}
