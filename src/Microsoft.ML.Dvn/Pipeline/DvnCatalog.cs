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

    /// <summary>A deep virtual network trainer on the given columns, with default options otherwise.</summary>
    public static DvnEstimator Dvn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", string taskColumnName = "Task",
        string memoryBudgetColumnName = "MemoryBudget") =>
        catalog.Dvn(new DvnEstimator.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            TaskColumnName = taskColumnName,
            MemoryBudgetColumnName = memoryBudgetColumnName,
        });
}
