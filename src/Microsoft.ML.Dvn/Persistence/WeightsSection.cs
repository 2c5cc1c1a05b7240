using System.Runtime.InteropServices;
using Microsoft.ML.Dvn.Network;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>
/// The weights section: every parameter and buffer of the network, in its registration order, each as its name, its
/// shape and its values (float32).
/// </summary>
/// <remarks>
/// Reading has two steps: <see cref="Read"/> checks, before the network exists, that the file holds exactly the
/// tensors and numbers the declared network stores and that every value is finite; <see cref="Load"/> then checks
/// every name and shape against the network built and copies the values in.
/// </remarks>
internal sealed class WeightsSection
{
    public const string Name = "weights";

    private readonly (string Name, long[] Shape, ReadOnlyMemory<byte> Values)[] _tensors;

    private WeightsSection((string, long[], ReadOnlyMemory<byte>)[] tensors) => _tensors = tensors;

    public static void Write(BinaryWriter writer, DvnNetwork network)
    {
        var tensors = NamedTensors(network);
        writer.Write(tensors.Count);
        foreach (var (name, value) in tensors)
        {
            writer.Write(name);
            writer.WriteList(value.shape.Select(d => checked((int)d)).ToArray());
            using var data = value.detach().cpu().contiguous();
            writer.Write(MemoryMarshal.AsBytes(data.data<float>().ToArray().AsSpan()));
        }
    }

    public static WeightsSection Read(PayloadReader reader, DeclaredNetwork network)
    {
        int count = reader.Int32("count");
        InvalidModel.Require(count == network.TensorCount, reader.Name("count"), count, $"{network.TensorCount}, the tensors of the declared network");
        var tensors = new (string, long[], ReadOnlyMemory<byte>)[count];
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            string field = $"[{i}]";
            string name = reader.String($"{field}.name");
            var dimensions = reader.Int32s($"{field}.shape");
            InvalidModel.Require(dimensions.Length is >= 1 and <= 4, reader.Name($"{field}.shape"), $"a list of {dimensions.Length}", "1 to 4 dimensions");
            long size = 1;
            foreach (int dimension in dimensions)
            {
                InvalidModel.Require(dimension >= 1, reader.Name($"{field}.shape"), dimension, "dimensions of at least 1");
                // Bounded by the declared network's size before it can overflow.
                size *= dimension;
                if (size > network.StoredParameterCount - total)
                    throw InvalidModel.Error($"tensor '{reader.Name(field)}' ('{name}') holds more numbers than the declared network " +
                                             $"stores ({network.StoredParameterCount})");
            }
            total += size;
            var values = reader.Bytes($"{field}.values", size * sizeof(float));
            CheckFinite(reader.Name(field), name, values.Span);
            tensors[i] = (name, dimensions.Select(d => (long)d).ToArray(), values);
        }
        InvalidModel.Require(total == network.StoredParameterCount, reader.Name(""), $"{total} numbers",
            $"{network.StoredParameterCount}, what the declared network stores");
        return new WeightsSection(tensors);
    }

    /// <summary>Copies the weights into <paramref name="network"/>, built from the declared network, after checking every name and shape.</summary>
    public void Load(DvnNetwork network)
    {
        var tensors = NamedTensors(network);
        using var _ = no_grad();
        for (int i = 0; i < tensors.Count; i++)
        {
            var (expectedName, value) = tensors[i];
            var (name, shape, values) = _tensors[i];
            if (name != expectedName || !shape.SequenceEqual(value.shape))
                throw InvalidModel.Field($"{Name}[{i}]", $"'{name}' [{string.Join(", ", shape)}]",
                    $"'{expectedName}' [{string.Join(", ", value.shape)}], the network's tensor at that place");
            using var loaded = tensor(MemoryMarshal.Cast<byte, float>(values.Span).ToArray(), shape);
            value.copy_(loaded);
        }
    }

    // Every value finite; a normalization's running variance also at least 0, or its square root in prediction is NaN.
    // The name is the file's, but Load requires every name to be the network's at that place, so a variance cannot
    // pass under another name.
    private static void CheckFinite(string field, string name, ReadOnlySpan<byte> bytes)
    {
        var values = MemoryMarshal.Cast<byte, float>(bytes);
        bool variance = name.EndsWith("." + LevelNorm.RunningVarianceName, StringComparison.Ordinal);
        for (int k = 0; k < values.Length; k++)
        {
            if (!float.IsFinite(values[k]))
                throw InvalidModel.Field($"{field}.values[{k}]", $"{values[k]} (in '{name}')", "a finite number");
            if (variance && values[k] < 0)
                throw InvalidModel.Field($"{field}.values[{k}]", $"{values[k]} (in '{name}')", "a running variance of at least 0");
        }
    }

    /// <summary>Every parameter and buffer, in the network's registration order.</summary>
    private static List<(string Name, Tensor Value)> NamedTensors(DvnNetwork network) =>
        network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(network.named_buffers()).ToList();
}
