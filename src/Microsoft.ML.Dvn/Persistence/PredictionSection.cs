using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>The prediction section: how the model predicts (named fields).</summary>
internal static class PredictionSection
{
    public const string Name = "prediction";

    public static void Write(BinaryWriter writer, PredictionSettings prediction) => writer.WriteFields(
        ("batchSize", w => w.Write(prediction.BatchSize)),
        ("device", w => w.Write((int)prediction.RequestedDevice)));

    /// <summary>Format 1: batch size, device.</summary>
    public static FieldReader Format1(PayloadReader section) => FieldReader.Positional(section,
        ("batchSize", (r, n) => r.Int32(n)),
        ("device", (r, n) => r.Int32(n)));

    /// <param name="fields">The section's fields.</param>
    /// <param name="network">The network the batches run through: its input and class counts bound the batch.</param>
    public static PredictionSettings Read(FieldReader fields, DeclaredNetwork network)
    {
        int batchSize = fields.Int32("batchSize");
        int device = fields.Int32("device");
        fields.End();
        long valuesPerRow = (long)network.InputSize + network.ClassCounts.Max();
        // One row is always allowed: its feature vector exists in the input anyway.
        long largest = Math.Max(1, Math.Min(ModelLimits.MaxPredictionBatchSize, ModelLimits.MaxPredictionBatchValues / valuesPerRow));
        InvalidModel.Require(batchSize >= 1 && batchSize <= largest, $"{Name}.batchSize", batchSize,
            $"1 to {largest} rows (a batch buffers {valuesPerRow} values a row, at most {ModelLimits.MaxPredictionBatchValues} in all)");
        InvalidModel.Require(Enum.IsDefined((DvnDevice)device), $"{Name}.device", device, "0 (Auto), 1 (Cpu) or 2 (Cuda)");
        return new PredictionSettings(batchSize, (DvnDevice)device);
    }
}
