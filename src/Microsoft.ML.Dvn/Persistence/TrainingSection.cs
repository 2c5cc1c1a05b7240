using Microsoft.ML.Dvn.Training;

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
        ("rowsPerTask", w => w.WriteList(training.RowsPerTask.ToArray())),
        ("levelWeights", w => w.WriteList(training.LevelWeights.ToArray())),
        ("distillationWeight", w => w.Write(training.DistillationWeight)),
        ("learningRateSchedule", w => w.Write((int)training.LearningRateSchedule)),
        ("batchOrder", w => w.Write((int)training.BatchOrder)),
        ("taskOrder", w => w.Write((int)training.TaskOrder)),
        ("tasksInUnitOrder", w => w.WriteList(training.TasksInUnitOrder.ToArray())));

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
    /// <param name="levels">The network's levels: one level weight each in files written before level weights were saved.</param>
    /// <remarks>
    /// Files written before the training methods existed (Microsoft.ML.Dvn 0.1.0, and format 2 before them) read as
    /// trained then: every level weight 1, no distillation, a constant learning rate, round-robin batches, tasks in key order.
    /// </remarks>
    public static DvnTrainingInfo Read(FieldReader fields, int taskKeys, int levels)
    {
        var training = new DvnTrainingInfo(
            NumberOfEpochs: fields.Int32("numberOfEpochs"),
            BatchSize: fields.Int32("batchSize"),
            LearningRate: fields.Double("learningRate"),
            WeightDecay: fields.Double("weightDecay"),
            Seed: fields.Int64("seed"),
            RowsPerTask: fields.Get("rowsPerTask", (r, n) => r.Int64s(n)),
            LevelWeights: fields.Get("levelWeights", (r, n) => r.Doubles(n), () => Enumerable.Repeat(1.0, levels).ToArray()),
            DistillationWeight: fields.Get("distillationWeight", (r, n) => r.Double(n), () => 0.0),
            LearningRateSchedule: (DvnLearningRateSchedule)fields.Get("learningRateSchedule", (r, n) => r.Int32(n), () => 0),
            BatchOrder: (DvnBatchOrder)fields.Get("batchOrder", (r, n) => r.Int32(n), () => 0),
            TaskOrder: (DvnTaskOrder)fields.Get("taskOrder", (r, n) => r.Int32(n), () => 0),
            TasksInUnitOrder: fields.Get("tasksInUnitOrder", (r, n) => r.Int32s(n), () => Enumerable.Range(1, taskKeys).ToArray()));
        fields.End();
        Require(TrainingRules.NumberOfEpochs, training.NumberOfEpochs);
        Require(TrainingRules.BatchSize, training.BatchSize);
        Require(TrainingRules.LearningRate, training.LearningRate);
        Require(TrainingRules.WeightDecay, training.WeightDecay);
        InvalidModel.Require(training.RowsPerTask.Count == taskKeys, $"{Name}.rowsPerTask", $"a list of {training.RowsPerTask.Count}",
            $"one row count for each of the {taskKeys} task keys");
        for (int t = 0; t < training.RowsPerTask.Count; t++)
            InvalidModel.Require(training.RowsPerTask[t] >= 1, $"{Name}.rowsPerTask[{t}]", training.RowsPerTask[t], "at least 1 (every task had rows)");
        CheckMethods(training, taskKeys);
        return training;
    }

    private static void CheckMethods(DvnTrainingInfo training, int taskKeys)
    {
        var weights = training.LevelWeights;
        // An extracted sub-network keeps the training of the DVN it came from, whose levels it no longer has.
        InvalidModel.Require(weights.Count >= 1, $"{Name}.levelWeights", "an empty list", "one weight for each level of the trained DVN");
        for (int j = 0; j < weights.Count; j++)
            Require(TrainingRules.LevelWeight, weights[j], $"{TrainingRules.LevelWeight.Field}[{j}]");
        InvalidModel.Require(TrainingRules.LevelWeights.Holds(weights), $"{Name}.{TrainingRules.LevelWeights.Field}", "all zero", TrainingRules.LevelWeights.Expected);
        Require(TrainingRules.DistillationWeight, training.DistillationWeight);
        Require(TrainingRules.LearningRateSchedule, training.LearningRateSchedule);
        Require(TrainingRules.BatchOrder, training.BatchOrder);
        Require(TrainingRules.TaskOrder, training.TaskOrder);
        var order = training.TasksInUnitOrder;
        InvalidModel.Require(order.Count == taskKeys && order.Order().SequenceEqual(Enumerable.Range(1, taskKeys)), $"{Name}.tasksInUnitOrder",
            $"[{string.Join(", ", order.Take(16))}{(order.Count > 16 ? ", ..." : "")}]", $"every task key 1 to {taskKeys} once");
    }

    // The training options' own rules (TrainingRules), applied to the file's field of the same name.
    private static void Require<T>(TrainingRule<T> rule, T value, string? field = null) where T : notnull =>
        InvalidModel.Require(rule.Holds(value), $"{Name}.{field ?? rule.Field}", value, rule.Expected);
}
