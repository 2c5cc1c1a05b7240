using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn;

/// <summary>
/// Adds <c>Dvn</c> to <c>mlContext.MulticlassClassification.Trainers</c>.
/// </summary>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Task")
///     .Append(mlContext.Transforms.Conversion.MapValueToKey("Label"))
///     .Append(mlContext.MulticlassClassification.Trainers.Dvn(new DvnEstimator.Options
///     {
///         Architecture = DvnArchitecture.Mlp(240, 240),
///         NumberOfEpochs = 10,
///     }))
///     .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
/// var model = pipeline.Fit(trainingData);
/// </code>
/// </example>
public static class DvnCatalog
{
    /// <summary>A deep virtual network trainer with the given options.</summary>
    public static DvnEstimator Dvn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, DvnEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        // IInternalCatalog is internal to Microsoft.ML.Data; it is how ML.NET's own trainers reach their MLContext.
        return new DvnEstimator(((IInternalCatalog)catalog).Environment, options);
    }

    /// <summary>0.1.0's overload, kept so that code compiled against 0.1.0 still runs; new code gets the one below.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static DvnEstimator Dvn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName, string featureColumnName, string taskColumnName, string memoryBudgetColumnName) =>
        catalog.Dvn(labelColumnName, featureColumnName, taskColumnName, memoryBudgetColumnName, numberOfEpochs: 10);

    /// <summary>
    /// A deep virtual network trainer on the given columns with the main hyper-parameters, default options otherwise
    /// (as ML.NET's trainers' simple overloads take theirs).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The label: a key column holding every task's labels.</param>
    /// <param name="featureColumnName">The features: a known-size vector of Single.</param>
    /// <param name="taskColumnName">The task of each row: a key column.</param>
    /// <param name="memoryBudgetColumnName">The memory budget of each row in parameters (read at prediction time; optional there).</param>
    /// <param name="numberOfEpochs">Passes over the training rows of every task.</param>
    /// <param name="architecture">The backbone; null means the default MLP with two hidden layers of 240.</param>
    /// <param name="learningRate">Adam's learning rate.</param>
    public static DvnEstimator Dvn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", string taskColumnName = "Task",
        string memoryBudgetColumnName = "MemoryBudget", int numberOfEpochs = 10, DvnArchitecture? architecture = null,
        double learningRate = 0.001)
    {
        var options = new DvnEstimator.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            TaskColumnName = taskColumnName,
            MemoryBudgetColumnName = memoryBudgetColumnName,
            NumberOfEpochs = numberOfEpochs,
            LearningRate = learningRate,
        };
        if (architecture is not null)
            options.Architecture = architecture;
        return catalog.Dvn(options);
    }
}
