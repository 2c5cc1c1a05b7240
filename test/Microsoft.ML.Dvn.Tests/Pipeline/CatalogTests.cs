using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

[TestClass]
public sealed class CatalogTests
{
    [TestMethod]
    public void TheSimpleOverloadTakesTheMainHyperParametersAsMlNetTrainersDo()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(30, seed: 1).Select(r => new RenamedRow { Pixels = r.Features, Class = r.Label, Job = r.Task }));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Job")
            .Append(ml.Transforms.Conversion.MapValueToKey("Class"))
            .Append(ml.MulticlassClassification.Trainers.Dvn(labelColumnName: "Class", featureColumnName: "Pixels", taskColumnName: "Job",
                numberOfEpochs: 2, architecture: DvnArchitecture.Mlp(12, 9), learningRate: 0.02));

        var dvn = pipeline.Fit(data).GetDvnTransformer();

        Assert.AreEqual(2, dvn.Training.NumberOfEpochs);
        Assert.AreEqual(0.02, dvn.Training.LearningRate);
        // 10 inputs -> 12 -> 9 with three tasks of 3, 2 and 4 classes; the top level reads every hidden weight.
        long top = 10 * 12 + 12 * 9 + 4 * (12 + 9) + 9 * 3 + 3;
        Assert.AreEqual(top, dvn.GetLevels(1)[^1].ParameterCount);
    }

    public sealed class RenamedRow
    {
        [VectorType(GeneratedTasks.FeatureCount)]
        public float[] Pixels { get; set; } = Array.Empty<float>();

        public string Class { get; set; } = "";

        public string Job { get; set; } = "";
    }
}
