using Microsoft.ML.Dvn.Network;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>
/// The architecture section: the backbone (kind, image shape, convolution channels, hidden widths), the feature
/// vector's length, units, levels, every task's class count and (format 2) the tasks' order along the units:
/// everything the network's shape and its levels' units follow from.
/// </summary>
internal static class ArchitectureSection
{
    public const string Name = "architecture";

    public static void Write(BinaryWriter writer, DvnNetwork network)
    {
        var architecture = network.Architecture;
        writer.Write((int)architecture.Kind);
        writer.Write(architecture.ImageHeight);
        writer.Write(architecture.ImageWidth);
        writer.Write(architecture.ImageChannels);
        writer.WriteList(architecture.ConvolutionChannels.ToArray());
        writer.WriteList(architecture.HiddenLayerSizes.ToArray());
        writer.Write(network.InputSize);
        writer.Write(network.Allocation.NumberOfUnits);
        writer.Write(network.Allocation.NumberOfLevels);
        writer.WriteList(network.ClassCounts.ToArray());
        writer.WriteList(network.Allocation.Order.TasksByPosition.ToArray());
    }

    /// <summary>
    /// Reads and checks the declared network; nothing is allocated for it yet.
    /// </summary>
    /// <param name="reader">The section.</param>
    /// <param name="version">The format: version 1 has no unit order (its tasks sit on the units in their order).</param>
    public static DeclaredNetwork Read(PayloadReader reader, int version)
    {
        int kindCode = reader.Int32("kind");
        InvalidModel.Require(Enum.IsDefined((DvnArchitectureKind)kindCode), reader.Name("kind"), kindCode, "0 (Mlp) or 1 (Cnn)");
        var kind = (DvnArchitectureKind)kindCode;
        int height = reader.Int32("imageHeight"), width = reader.Int32("imageWidth"), channels = reader.Int32("imageChannels");
        var convolutions = reader.Int32s("convolutionChannels");
        var hidden = reader.Int32s("hiddenLayerSizes");
        int inputSize = reader.Int32("inputSize"), units = reader.Int32("numberOfUnits"), levels = reader.Int32("numberOfLevels");
        var classCounts = reader.Int32s("classCounts");
        var unitOrder = version >= 2 ? reader.Int32s("unitOrder") : Enumerable.Range(1, classCounts.Length).ToArray();

        CheckWidths(reader, "convolutionChannels", convolutions);
        CheckWidths(reader, "hiddenLayerSizes", hidden);
        DvnArchitecture architecture;
        if (kind == DvnArchitectureKind.Mlp)
        {
            foreach (var (field, value) in new[] { ("imageHeight", height), ("imageWidth", width), ("imageChannels", channels) })
                InvalidModel.Require(value == 0, reader.Name(field), value, "0 for an MLP");
            InvalidModel.Require(convolutions.Length == 0, reader.Name("convolutionChannels"), $"a list of {convolutions.Length}", "none for an MLP");
            InvalidModel.Require(hidden.Length >= 1, reader.Name("hiddenLayerSizes"), "an empty list", "at least one hidden layer");
            InvalidModel.Require(inputSize >= 1, reader.Name("inputSize"), inputSize, "at least 1");
            architecture = DvnArchitecture.Mlp(hidden);
        }
        else
        {
            foreach (var (field, value) in new[] { ("imageHeight", height), ("imageWidth", width), ("imageChannels", channels) })
                InvalidModel.Require(value >= 1, reader.Name(field), value, "at least 1 for a CNN");
            InvalidModel.Require(convolutions.Length >= 1 && DvnArchitecture.PooledSide(height, convolutions.Length) >= 1 &&
                                 DvnArchitecture.PooledSide(width, convolutions.Length) >= 1,
                reader.Name("convolutionChannels"), $"a list of {convolutions.Length}",
                $"1 or more convolutions, each halving the {height} x {width} image, down to at least 1 x 1");
            long required = (long)channels * height * width;
            InvalidModel.Require(inputSize == required, reader.Name("inputSize"), inputSize, $"{required} (channels x height x width)");
            architecture = DvnArchitecture.Cnn(height, width, channels, convolutions, hidden);
        }
        InvalidModel.Require(classCounts.Length >= 1, reader.Name("classCounts"), "an empty list", "one class count a task, at least one task");
        for (int t = 0; t < classCounts.Length; t++)
            InvalidModel.Require(classCounts[t] >= 1, reader.Name($"classCounts[{t}]"), classCounts[t], "at least 1");
        InvalidModel.Require(unitOrder.Length == classCounts.Length && unitOrder.Order().SequenceEqual(Enumerable.Range(1, classCounts.Length)),
            reader.Name("unitOrder"), $"[{string.Join(", ", unitOrder.Take(16))}{(unitOrder.Length > 16 ? ", ..." : "")}]",
            $"every task 1 to {classCounts.Length} once (one per class count)");
        InvalidModel.Require(units >= 1 && units <= architecture.NarrowestLayer, reader.Name("numberOfUnits"), units,
            $"1 to {architecture.NarrowestLayer} (the narrowest hidden layer of {architecture}: every unit needs a channel in every layer)");
        InvalidModel.Require(levels >= 1 && levels <= units, reader.Name("numberOfLevels"), levels, $"1 to {units} (the number of units)");
        // The weights follow in the payload's remaining bytes.
        return DeclaredNetwork.Create(architecture, inputSize, classCounts, units, levels, new TaskOrder(unitOrder), reader.PayloadRemaining);
    }

    private static void CheckWidths(PayloadReader reader, string field, int[] widths)
    {
        for (int i = 0; i < widths.Length; i++)
            InvalidModel.Require(widths[i] >= 1, reader.Name($"{field}[{i}]"), widths[i], "a width of at least 1");
    }
}
