namespace Microsoft.ML.Dvn;

public sealed partial class DvnEstimator
{
    /// <summary>Options of the DVN trainer. Every field has a sensible default; set what you need.</summary>
    public sealed class Options
    {
        /// <summary>The input features: a known-size vector of <see cref="float"/>. Default "Features".</summary>
        public string FeatureColumnName = "Features";

        /// <summary>
        /// The label: a key column (use MapValueToKey). One key column holds the labels of every task; each task's
        /// head covers the label values that task has in training. Default "Label".
        /// </summary>
        public string LabelColumnName = "Label";

        /// <summary>
        /// The task of each row: a key column whose key value t is task t (use MapValueToKey). Default "Task". Null for
        /// a single-task model: every row is task 1 and prediction reads no task column; the default units are then 3
        /// (at most the narrowest layer), so the one task still gets levels of growing size.
        /// </summary>
        public string? TaskColumnName = "Task";

        /// <summary>
        /// The memory budget of each row, in parameters (<see cref="DvnBudgetUnit.Parameters"/>): Single, Double, Int32 or
        /// Int64. Only read at prediction time, where it picks the highest level whose parameter count fits; a missing
        /// column or NaN means no limit. Default "MemoryBudget".
        /// </summary>
        /// <remarks>
        /// A row's budget may be given in any of three units, each in its own column: this one, <see cref="MemoryBudgetBytesColumnName"/>
        /// and <see cref="LatencyBudgetColumnName"/>. Every budget a row gives (not NaN) limits its level: the row runs at the
        /// highest level of its task that fits all of them; with none, at the highest level. A budget below every level of the
        /// row's task fails, naming the task, the budget, its unit and the smallest level. Comparisons are exact (a budget
        /// of exactly a level's size selects it).
        /// </remarks>
        /// <example>
        /// <code>
        /// public class Row
        /// {
        ///     [VectorType(784)] public float[] Features { get; set; }
        ///     public string Task { get; set; }
        ///     public double MemoryBudget { get; set; } = double.NaN;       // parameters
        ///     public double MemoryBudgetBytes { get; set; } = double.NaN;  // bytes: parameters and one row's activations
        ///     public double LatencyBudget { get; set; } = double.NaN;      // microseconds (needs measured latencies)
        /// }
        /// </code>
        /// </example>
        public string MemoryBudgetColumnName = "MemoryBudget";

        /// <summary>
        /// The memory budget of each row in bytes (<see cref="DvnBudgetUnit.Bytes"/>): Single, Double, Int32 or Int64. The
        /// highest level whose <see cref="DvnLevelInfo.MemoryBytes"/> (its parameters and the activations one row's
        /// prediction creates, 4 bytes each) fits is used. Read only at prediction time; a missing column or NaN means no
        /// limit. Default "MemoryBudgetBytes".
        /// </summary>
        public string MemoryBudgetBytesColumnName = "MemoryBudgetBytes";

        /// <summary>
        /// The latency budget of each row in microseconds (<see cref="DvnBudgetUnit.Microseconds"/>): Single, Double, Int32
        /// or Int64. The highest level whose measured single-row latency (<see cref="DvnLatencyTable"/>, at its
        /// percentile) fits is used; it needs latencies measured on the serving machine
        /// (<see cref="DvnTransformer.MeasureLatency"/>) or loaded (<see cref="DvnTransformer.SetLatencies"/>), and a
        /// latency budget without them fails. Read only at prediction time; a missing column or NaN means no limit.
        /// Default "LatencyBudget".
        /// </summary>
        public string LatencyBudgetColumnName = "LatencyBudget";

        /// <summary>Output: the row's task's class probabilities at their label key positions, 0 elsewhere. Default "Score".</summary>
        public string ScoreColumnName = "Score";

        /// <summary>Output: the predicted label, with the label's key type and key values. Default "PredictedLabel".</summary>
        public string PredictedLabelColumnName = "PredictedLabel";

        /// <summary>Output: the level used for the row (UInt32, 1-based). Default "Level".</summary>
        public string LevelColumnName = "Level";

        /// <summary>Output: the parameters the row's prediction read (Int64). Default "ParameterCount".</summary>
        public string ParameterCountColumnName = "ParameterCount";

        /// <summary>
        /// Units K every hidden layer is cut into; 0 (default) means one per task, as in the paper, and 3 for a single
        /// task (at most the narrowest layer's width), so that its default levels still grow in size.
        /// </summary>
        public int NumberOfUnits;

        /// <summary>Levels L of every task's virtual network, 1..K; 0 (default) means as many as units, as in the paper.</summary>
        public int NumberOfLevels;

        /// <summary>The backbone. Default: an MLP with two hidden layers of 240 (units of 80 for three tasks).</summary>
        public DvnArchitecture Architecture = DvnArchitecture.Mlp(240, 240);

        /// <summary>Passes over the training rows of every task. Default 10.</summary>
        public int NumberOfEpochs = 10;

        /// <summary>Rows of one task in a mini-batch (at least 2). Default 64.</summary>
        public int BatchSize = 64;

        /// <summary>Adam's learning rate. Default 0.001.</summary>
        public double LearningRate = 0.001;

        /// <summary>Adam's L2 weight decay. Default 0.</summary>
        public double WeightDecay;

        /// <summary>
        /// Weight w_j of each level's loss in sum_j w_j loss_j, level 1 first: as many values as levels, each finite and
        /// zero or positive, not all zero. Null (default) weighs every level 1, as the paper does.
        /// </summary>
        public double[]? LevelWeights;

        /// <summary>
        /// In-place distillation (ours, after universally slimmable networks): every level below the top one also learns
        /// from the top level's predictions on the same rows (detached: the top level learns from the labels only). Its
        /// loss becomes (1 - w) CE(labels) + w CE(top level's probabilities). 0 turns it off (the paper); within [0, 1].
        /// Default 0.
        /// </summary>
        public double DistillationWeight;

        /// <summary>
        /// Which tasks share the most units: <see cref="DvnTaskOrder.TaskKeys"/> (the paper: neighbouring task keys share
        /// the most) or <see cref="DvnTaskOrder.Affinity"/> (ours: measured after a short warm-up, independent of the key
        /// and row order; recorded in <see cref="DvnTransformer.Training"/>). Default <see cref="DvnTaskOrder.TaskKeys"/>.
        /// </summary>
        public DvnTaskOrder TaskOrder = DvnTaskOrder.TaskKeys;

        /// <summary>
        /// The tasks by name (their values in the task column, or the key as text where the column has no values), in
        /// the order they take the units: the first task's home unit is unit 1, and neighbours in this list share the
        /// most units. Null (default) leaves the order to <see cref="TaskOrder"/>. Set it to keep every task on the same
        /// units whatever keys MapValueToKey gives the tasks: it numbers them by first appearance, so two samples of the
        /// same data (the folds of a cross-validation, a split and the whole data) can number them differently. Must
        /// list every task of the training data once, and needs <see cref="DvnTaskOrder.TaskKeys"/>. A sweep sets it
        /// to the order of the whole data's keys, so its trials, folds and refits agree.
        /// </summary>
        /// <example>
        /// <code>
        /// var options = new DvnEstimator.Options { TaskUnitOrder = new[] { "fine", "coarse", "inverted" } };
        /// </code>
        /// </example>
        public string[]? TaskUnitOrder;

        /// <summary>
        /// How the learning rate changes over training. Default <see cref="DvnLearningRateSchedule.ConstantThenCosine"/>
        /// (since 0.3.0): the full rate for the first half of the optimizer steps, then half a cosine towards 0. Measured
        /// on both benchmark scenarios (MLP, 3 seeds), it is at least as accurate as plain cosine at the default 10 epochs
        /// and above the constant rate from 1 epoch on, without cosine's loss in very short runs (docs/method.md,
        /// "Defaults"; docs/benchmarks.md). <see cref="DvnLearningRateSchedule.Constant"/> is the paper's. A saved model
        /// keeps the schedule it was trained with (models of 0.1.0 and 0.2.0 with default options: Constant).
        /// </summary>
        public DvnLearningRateSchedule LearningRateSchedule = DvnLearningRateSchedule.ConstantThenCosine;

        /// <summary>How the tasks' batches follow each other within an epoch. Default <see cref="DvnBatchOrder.RoundRobin"/>.</summary>
        public DvnBatchOrder BatchOrder = DvnBatchOrder.RoundRobin;

        /// <summary>
        /// How Fit reads the training rows: <see cref="DvnTrainingData.Cached"/> (default) into memory once, or
        /// <see cref="DvnTrainingData.Streamed"/> from the IDataView every epoch, in bounded buffers, for data larger than
        /// memory (see <see cref="DvnTrainingData.Streamed"/>). Both train the same kind of model. Streamed needs an IDataView that can be read more than once (a
        /// file-backed or in-memory one, not a one-pass stream) and does not work with <see cref="DvnTaskOrder.Affinity"/>.
        /// </summary>
        /// <example>
        /// <code>
        /// var data = mlContext.Data.LoadFromBinary("train.idv");
        /// var options = new DvnEstimator.Options { TrainingData = DvnTrainingData.Streamed };
        /// </code>
        /// </example>
        public DvnTrainingData TrainingData = DvnTrainingData.Cached;

        /// <summary>
        /// With <see cref="DvnTrainingData.Streamed"/>: the rows held for shuffling, at most, shared among the tasks in
        /// proportion to their rows (at least one a task). A row comes out of the shuffle within about this many rows of
        /// its task from where it was stored, so data stored sorted (by class, say) needs a buffer that spans the sorted
        /// runs, or a shuffle when it is written. Memory: 4 bytes a feature value plus 8 bytes a row (16,384 rows of 784
        /// values take 51 MB). Default 16,384.
        /// <para>
        /// What else a streamed fit holds does not grow with the rows: one batch (<see cref="BatchSize"/> rows, twice: the
        /// buffer it is read into and its tensor), and per task its row count, its classes' label keys and one checksum;
        /// the order of an epoch's batches is computed as the epoch goes. Memory the IDataView's own cursors hold comes
        /// on top (one cursor a task).
        /// </para>
        /// <para>
        /// The batch-norm recalibration after the last epoch reads each task alone, so that task gets the whole buffer:
        /// a task of at most this many rows is shuffled completely there, as cached data is. A larger task's calibration
        /// batches come from the rows held in the buffer when they are drawn; if its rows are stored in runs longer than
        /// the buffer (sorted by class, say), its batches hold fewer classes than the data, and the running variance
        /// misses the spread between classes: it is under-estimated, and the model predicts worse than a cached fit's.
        /// </para>
        /// </summary>
        public int ShuffleBufferRows = 16_384;

        /// <summary>Fixes initial weights and row order; null (default) takes the MLContext's seed, or a random one if it has none.</summary>
        public int? Seed;

        /// <summary>
        /// Where to train and predict. Default <see cref="DvnDevice.Cpu"/>, which follows the MLContext as ML.NET's GPU
        /// trainers do: with <c>MLContext.GpuDeviceId</c> set, the DVN trains on that CUDA device, and where it is missing
        /// <c>MLContext.FallbackToCpu</c> decides between the CPU (with a warning in the log) and an exception.
        /// </summary>
        public DvnDevice Device = DvnDevice.Cpu;

        /// <summary>
        /// The CUDA device index for <see cref="DvnDevice.Cuda"/> and <see cref="DvnDevice.Auto"/>; null (default) takes
        /// <c>MLContext.GpuDeviceId</c>, or device 0.
        /// </summary>
        public int? GpuDeviceId;

        /// <summary>
        /// Optional rows with the same columns as the training data: after every epoch, the accuracy of every
        /// (task, level) on them is logged and passed to <see cref="EpochCompleted"/>. Read into memory once, also when
        /// the training rows are <see cref="DvnTrainingData.Streamed"/>: keep it small.
        /// </summary>
        public IDataView? ValidationSet;

        /// <summary>
        /// Threads libtorch uses inside one operation (intra-op), for training and for prediction with the fitted
        /// model, as ML.NET's trainers name it; null (default) leaves libtorch's default, one per core. Process-wide
        /// (torch.set_num_threads): Fit sets <see cref="DvnRuntime.NumberOfThreads"/>, which stays in effect for every
        /// DVN model and every other TorchSharp use in the process. Not saved with the model: a process that loads one
        /// sets <see cref="DvnRuntime.NumberOfThreads"/>. Trainings that share cores run far faster with a share each
        /// (README, "Threads").
        /// </summary>
        public int? NumberOfThreads;

        /// <summary>Rows run together through the network at prediction time (Transform). Default 256.</summary>
        public int PredictionBatchSize = 256;

        /// <summary>Called after every training epoch with the loss and accuracy of every (task, level).</summary>
        public Action<DvnEpochReport>? EpochCompleted;

        // A sweep's time budget and cancellation reach the fit under way through the options its factory passes on.
        internal CancellationToken Cancellation;

        // A sweep learns what the DVN would see (tasks, features, classes) by fitting the pipeline with a probe: Fit
        // reads the task and label columns, calls it, and trains nothing.
        internal Action<Pipeline.DvnDataSummary>? Probe;

        // A sweep's halving round continues a configuration from its previous round's checkpoint and keeps this fit's.
        internal Training.TrainingContinuation? Continuation;

        // The estimator keeps its own copy, so that changing an Options object after creating an estimator does not
        // change the estimator (estimators are reused in cross-validation and sweeps).
        internal Options Copy()
        {
            var copy = (Options)MemberwiseClone();
            copy.LevelWeights = (double[]?)LevelWeights?.Clone();
            copy.TaskUnitOrder = (string[]?)TaskUnitOrder?.Clone();
            return copy;
        }
    }
}
