namespace Microsoft.ML.Dvn.Persistence;

/// <summary>The training section: how the network was trained (named fields; see <see cref="FieldReader"/>).</summary>
/// <remarks>
/// A new field of <see cref="DvnTrainingInfo"/> is one line in <see cref="Write"/> and one in <see cref="Read"/>, whose
/// <c>absent</c> argument gives its value for files written before it existed.
/// </remarks>
internal static class TrainingSection
{
    public const string Name = "training";

    public static void Write(BinaryWriter writer, DvnTrainingInfo training) => writer.WriteFields(
        ("numberOfEpochs", w => w.Write(training.NumberOfEpochs)),
        ("batchSize", w => w.Write(training.BatchSize)),
        ("learningRate", w => w.Write(training.LearningRate)),
        ("weightDecay", w => w.Write(training.WeightDecay)),
        ("seed", w => w.Write(training.Seed)),
        ("rowsPerTask", w => w.WriteList(training.RowsPerTask.ToArray())));

    /// <summary>Format 1: the fields above, in that order.</summary>
    public static FieldReader Format1(PayloadReader section) => FieldReader.Positional(section,
        ("numberOfEpochs", (r, n) => r.Int32(n)),
        ("batchSize", (r, n) => r.Int32(n)),
        ("learningRate", (r, n) => r.Double(n)),
        ("weightDecay", (r, n) => r.Double(n)),
        ("seed", (r, n) => r.Int64(n)),
        ("rowsPerTask", (r, n) => r.Int64s(n)));

    /// <param name="fields">The section's fields.</param>
    /// <param name="taskKeys">The task column's key count: rows were counted for every task key.</param>
    public static DvnTrainingInfo Read(FieldReader fields, int taskKeys)
    {
        var training = new DvnTrainingInfo(
            NumberOfEpochs: fields.Int32("numberOfEpochs"),
            BatchSize: fields.Int32("batchSize"),
            LearningRate: fields.Double("learningRate"),
            WeightDecay: fields.Double("weightDecay"),
            Seed: fields.Int64("seed"),
            RowsPerTask: fields.Get("rowsPerTask", (r, n) => r.Int64s(n)));
        fields.End();
        InvalidModel.Require(training.NumberOfEpochs >= 1, $"{Name}.numberOfEpochs", training.NumberOfEpochs, "at least 1");
        InvalidModel.Require(training.BatchSize >= 2, $"{Name}.batchSize", training.BatchSize, "at least 2");
        InvalidModel.Require(training.LearningRate > 0 && double.IsFinite(training.LearningRate), $"{Name}.learningRate",
            training.LearningRate, "a positive number");
        InvalidModel.Require(training.WeightDecay >= 0 && double.IsFinite(training.WeightDecay), $"{Name}.weightDecay",
            training.WeightDecay, "zero or a positive number");
        InvalidModel.Require(training.RowsPerTask.Count == taskKeys, $"{Name}.rowsPerTask", $"a list of {training.RowsPerTask.Count}",
            $"one row count for each of the {taskKeys} task keys");
        for (int t = 0; t < training.RowsPerTask.Count; t++)
            InvalidModel.Require(training.RowsPerTask[t] >= 1, $"{Name}.rowsPerTask[{t}]", training.RowsPerTask[t], "at least 1 (every task had rows)");
        return training;
    }
}
