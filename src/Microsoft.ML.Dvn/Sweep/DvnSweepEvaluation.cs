namespace Microsoft.ML.Dvn;

/// <summary>
/// How a sweep measures a trial: on a seeded hold-out split (ML.NET's TrainTestSplit) or by k-fold cross-validation
/// (ML.NET's CrossValidationSplit, the metrics averaged over folds). The whole pipeline is fitted on the training part of
/// every split, so transforms before the DVN never see the rows they are measured on.
/// </summary>
public sealed class DvnSweepEvaluation
{
    private DvnSweepEvaluation(double testFraction, int folds, string? samplingKeyColumnName)
    {
        TestFraction = testFraction;
        NumberOfFolds = folds;
        SamplingKeyColumnName = samplingKeyColumnName;
    }

    /// <summary>The share of rows held out (hold-out), or 0 with cross-validation.</summary>
    public double TestFraction { get; }

    /// <summary>The folds of cross-validation, or 1 for a hold-out split.</summary>
    public int NumberOfFolds { get; }

    /// <summary>Rows with the same value in this column stay on the same side of every split (ML.NET's samplingKeyColumnName).</summary>
    public string? SamplingKeyColumnName { get; }

    /// <summary>One split: <paramref name="testFraction"/> of the rows held out. Default 0.2.</summary>
    public static DvnSweepEvaluation HoldOut(double testFraction = 0.2, string? samplingKeyColumnName = null)
    {
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), $"The held-out share must be between 0 and 1; got {testFraction}.");
        return new DvnSweepEvaluation(testFraction, 1, samplingKeyColumnName);
    }

    /// <summary>k-fold cross-validation: every trial is fitted <paramref name="folds"/> times.</summary>
    public static DvnSweepEvaluation CrossValidation(int folds = 5, string? samplingKeyColumnName = null)
    {
        if (folds < 2)
            throw new ArgumentOutOfRangeException(nameof(folds), $"Cross-validation needs at least 2 folds; got {folds}.");
        return new DvnSweepEvaluation(0, folds, samplingKeyColumnName);
    }

    /// <summary>"hold-out 20 %" or "5-fold cross-validation", the same in every culture (a study's identity holds it).</summary>
    public override string ToString() => NumberOfFolds == 1
        ? $"hold-out {TestFraction.ToString("P0", System.Globalization.CultureInfo.InvariantCulture)}"
        : $"{NumberOfFolds}-fold cross-validation";
}
