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
        int maxClasses = network.ClassCounts.Max();
        InvalidModel.Require(batchSize >= 1 && batchSize <= ModelLimits.LargestPredictionBatch(network.InputSize, maxClasses), $"{Name}.batchSize", batchSize,
            ModelLimits.PredictionBatchExpected(network.InputSize, maxClasses));
        InvalidModel.Require(Enum.IsDefined((DvnDevice)device), $"{Name}.device", device, "0 (Auto), 1 (Cpu) or 2 (Cuda)");
        return new PredictionSettings(batchSize, (DvnDevice)device);
    }
}
