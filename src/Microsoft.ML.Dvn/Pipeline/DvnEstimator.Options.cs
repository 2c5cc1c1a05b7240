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

        /// <summary>The task of each row: a key column whose key value t is task t (use MapValueToKey). Default "Task".</summary>
        public string TaskColumnName = "Task";

        /// <summary>
        /// The memory budget of each row, in parameters: Single, Double, Int32 or Int64. Only read at prediction time,
        /// where it picks the highest level whose parameter count fits; a missing column or NaN means the highest level.
        /// Default "MemoryBudget".
        /// </summary>
        public string MemoryBudgetColumnName = "MemoryBudget";

        /// <summary>Output: the row's task's class probabilities at their label key positions, 0 elsewhere. Default "Score".</summary>
        public string ScoreColumnName = "Score";

        /// <summary>Output: the predicted label, with the label's key type and key values. Default "PredictedLabel".</summary>
        public string PredictedLabelColumnName = "PredictedLabel";

        /// <summary>Output: the level used for the row (UInt32, 1-based). Default "Level".</summary>
        public string LevelColumnName = "Level";

        /// <summary>Output: the parameters the row's prediction read (Int64). Default "ParameterCount".</summary>
        public string ParameterCountColumnName = "ParameterCount";

        /// <summary>Units K every hidden layer is cut into; 0 (default) means one per task, as in the paper.</summary>
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
        /// (task, level) on them is logged and passed to <see cref="EpochCompleted"/>.
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

        // The estimator keeps its own copy, so that changing an Options object after creating an estimator does not
        // change the estimator (estimators are reused in cross-validation and sweeps).
        internal Options Copy() => (Options)MemberwiseClone();
    }
}
