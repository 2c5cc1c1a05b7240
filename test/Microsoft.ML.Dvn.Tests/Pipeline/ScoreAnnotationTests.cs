using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// Score and PredictedLabel carry the annotations ML.NET's multiclass scorer gives its columns (score set, column kind,
/// value kind, training label values), so that ML.NET's evaluators and tools find them by kind, not only by name.
/// </summary>
[TestClass]
public sealed class ScoreAnnotationTests
{
    private static TrainedPipeline _trained = null!;
    private static IDataView _scored = null!;

    [ClassInitialize]
    public static void Train(TestContext _)
    {
        _trained = new TrainedPipeline(new MLContext(seed: 1), epochs: 2);
        var prefix = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)_trained.Model).Take(3).ToArray());
        _scored = _trained.Dvn.Transform(prefix.Transform(_trained.Data));
    }

    [TestMethod]
    public void MlNetsEvaluatorLookupFindsTheScoresByKind()
    {
        var utils = typeof(MulticlassClassificationMetrics).Assembly.GetType("Microsoft.ML.Data.EvaluateUtils")
                    ?? throw new AssertFailedException("ML.NET has no EvaluateUtils any more");
        IHostEnvironment env = _trained.Ml;
        var schema = _scored.Schema;

        var evaluator = utils.GetMethod("GetEvaluator", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { env, schema })!;
        Assert.AreEqual("MulticlassClassificationMamlEvaluator", evaluator.GetType().Name, "the default evaluator for the data");

        var score = (DataViewSchema.Column)utils.GetMethod("GetScoreColumn", BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, new object?[] { env, schema, null, "score", "MulticlassClassification", "Score", null })!;
        Assert.AreEqual("Score", score.Name);
        Assert.IsFalse(score.IsHidden);

        var predicted = (DataViewSchema.Column?)utils.GetMethod("GetOptAuxScoreColumn", BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, new object?[] { env, schema, null, "predictedLabel", score.Index, "PredictedLabel", (Func<DataViewType, bool>)(t => t is KeyDataViewType) });
        Assert.AreEqual("PredictedLabel", predicted?.Name);
    }

    [TestMethod]
    public void TheColumnsCarryTheMulticlassScorersAnnotations()
    {
        var score = _scored.Schema["Score"];
        var predicted = _scored.Schema["PredictedLabel"];
        foreach (var column in new[] { score, predicted })
        {
            Assert.AreEqual("MulticlassClassification", Text(column, "ScoreColumnKind"), column.Name);
            Assert.AreEqual(new KeyDataViewType(typeof(uint), int.MaxValue), column.Annotations.Schema["ScoreColumnSetId"].Type, column.Name);
            Assert.AreEqual(1u, SetId(column), $"{column.Name}: the first score set of the data");
        }
        Assert.AreEqual("Score", Text(score, "ScoreValueKind"));
        Assert.AreEqual("PredictedLabel", Text(predicted, "ScoreValueKind"));

        var trainingLabels = default(VBuffer<ReadOnlyMemory<char>>);
        score.Annotations.GetValue("TrainingLabelValues", ref trainingLabels);
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        predicted.GetKeyValues(ref keyValues);
        CollectionAssert.AreEqual(keyValues.DenseValues().Select(v => v.ToString()).ToArray(), trainingLabels.DenseValues().Select(v => v.ToString()).ToArray());
        Assert.AreEqual(9, trainingLabels.Length, "the label values of all three tasks, one a Score slot");
        Assert.IsFalse(_scored.Schema["Level"].Annotations.Schema.Any(), "Level is no score");
    }

    [TestMethod]
    public void ALaterScorerStartsANewScoreSet()
    {
        var again = _trained.Dvn.Transform(_scored).Schema;
        Assert.AreEqual(2u, SetId(again["Score"]), "the second DVN's Score");
        Assert.AreEqual(2u, SetId(again["PredictedLabel"]), "the second DVN's PredictedLabel");
    }

    [TestMethod]
    public void TheEstimatorAnnouncesTheAnnotationsTheTransformerGives()
    {
        var shape = MlNetTasks.Pipeline(_trained.Ml, MlNetTasks.Options()).GetOutputSchema(Shapes.Of(_trained.Data.Schema));
        foreach (var name in new[] { "Score" })
            CollectionAssert.AreEquivalent(
                _scored.Schema[name].Annotations.Schema.Select(a => a.Name).ToArray(),
                shape.Single(c => c.Name == name).Annotations.Select(a => a.Name).ToArray(), name);
        var dvnOnly = _trained.Ml.MulticlassClassification.Trainers.Dvn(MlNetTasks.Options()).GetOutputSchema(
            Shapes.Of(new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)_trained.Model).Take(3).ToArray()).GetOutputSchema(_trained.Data.Schema)));
        CollectionAssert.AreEquivalent(
            _scored.Schema["PredictedLabel"].Annotations.Schema.Select(a => a.Name).ToArray(),
            dvnOnly.Single(c => c.Name == "PredictedLabel").Annotations.Select(a => a.Name).ToArray(), "PredictedLabel");
    }

    private static string Text(DataViewSchema.Column column, string kind)
    {
        var value = default(ReadOnlyMemory<char>);
        column.Annotations.GetValue(kind, ref value);
        return value.ToString();
    }

    private static uint SetId(DataViewSchema.Column column)
    {
        uint value = 0;
        column.Annotations.GetValue("ScoreColumnSetId", ref value);
        return value;
    }
}
