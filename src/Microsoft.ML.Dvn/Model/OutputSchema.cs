using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Model;

/// <summary>
/// The schema a model gives its output: the input's columns followed by Score, PredictedLabel, Level and
/// ParameterCount (hiding input columns of the same names). Transform views, row mappers and ONNX export all name and
/// type their columns by it.
/// </summary>
internal static class OutputSchema
{
    /// <summary>
    /// The input's columns followed by the four new ones, annotated as ML.NET's multiclass scorer annotates its score
    /// and predicted label, so that evaluators and tools find them by kind. AnnotationUtils (the annotation kinds, the
    /// score set's key type and the search for the input's last score set) is internal to Microsoft.ML.Core; used here
    /// through the publicized reference (see Internals/) so the values are exactly ML.NET's own.
    /// </summary>
    public static DataViewSchema Build(DvnModel model, DataViewSchema input)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        var names = model.Columns;
        // A new score set: one more than the last set in the input (scores of an earlier trainer keep theirs).
        uint scoreSet = input.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1;

        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        model.Labels.Values?.AddAsSlotNamesTo(scoreAnnotations);
        model.Labels.Values?.AddTo(scoreAnnotations, AnnotationUtils.Kinds.TrainingLabelValues);
        AddScoreKinds(scoreAnnotations, scoreSet, AnnotationUtils.Const.ScoreValueKind.Score);
        builder.AddColumn(names.Score, new VectorDataViewType(NumberDataViewType.Single, model.Labels.Count), scoreAnnotations.ToAnnotations());

        var labelAnnotations = new DataViewSchema.Annotations.Builder();
        model.Labels.Values?.AddTo(labelAnnotations);
        AddScoreKinds(labelAnnotations, scoreSet, AnnotationUtils.Const.ScoreValueKind.PredictedLabel);
        builder.AddColumn(names.PredictedLabel, new KeyDataViewType(typeof(uint), model.Labels.Count), labelAnnotations.ToAnnotations());

        builder.AddColumn(names.Level, NumberDataViewType.UInt32);
        builder.AddColumn(names.ParameterCount, NumberDataViewType.Int64);
        return builder.ToSchema();
    }

    private static void AddScoreKinds(DataViewSchema.Annotations.Builder annotations, uint scoreSet, string valueKind)
    {
        annotations.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ref uint value) => value = scoreSet);
        annotations.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance,
            (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification.AsMemory());
        annotations.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = valueKind.AsMemory());
    }
}
