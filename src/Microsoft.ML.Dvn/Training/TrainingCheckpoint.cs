using Microsoft.ML.Dvn.Network;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// The state of a training at the end of an epoch, before the final calibration: every tensor of the network
/// (weights and statistics), Adam's moments and step counts, the generator's state and the optimizer step. Restored
/// into a network of the same options, training goes on exactly as if it had never stopped (bit-identical on the same
/// machine and thread count). Held on the CPU as bytes, so it outlives the fit and can be written to a study.
/// </summary>
internal sealed class TrainingCheckpoint
{
    private const int Format = 1;

    private readonly byte[][] _network;
    private readonly AdamOptimizer.State _adam;
    private readonly byte[] _generator;

    private TrainingCheckpoint(int epoch, long step, byte[][] network, AdamOptimizer.State adam, byte[] generator)
    {
        (Epoch, Step, _network, _adam, _generator) = (epoch, step, network, adam, generator);
    }

    /// <summary>Epochs trained.</summary>
    public int Epoch { get; }

    /// <summary>Optimizer steps taken (the schedule's position).</summary>
    public long Step { get; }

    public static TrainingCheckpoint Capture(DvnNetwork network, AdamOptimizer optimizer, Generator generator, int epoch, long step)
    {
        using var generatorState = generator.get_state();
        return new TrainingCheckpoint(epoch, step, network.state_dict().Values.Select(Bytes).ToArray(), optimizer.Capture(), Bytes(generatorState));
    }

    /// <summary>Puts the state into a freshly built network of the same options, its optimizer and its generator.</summary>
    public void Restore(DvnNetwork network, AdamOptimizer optimizer, Generator generator)
    {
        var tensors = network.state_dict().Values.ToArray();
        if (tensors.Length != _network.Length)
            throw new InvalidOperationException($"A training checkpoint of {_network.Length} tensors cannot continue a network of {tensors.Length}.");
        for (int i = 0; i < tensors.Length; i++)
            Load(tensors[i], _network[i]);
        optimizer.Restore(_adam);
        using var state = empty(_generator.Length, ScalarType.Byte);
        state.bytes = _generator;
        generator.set_state(state);
    }

    /// <summary>The tensor's bytes, from the CPU.</summary>
    public static byte[] Bytes(Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().contiguous();
        return cpu.bytes.ToArray();
    }

    /// <summary>Copies <paramref name="bytes"/> into <paramref name="target"/> (any device), which must have as many.</summary>
    public static void Load(Tensor target, byte[] bytes)
    {
        using var noGrad = no_grad();
        using var source = empty(target.shape, target.dtype);
        if (source.bytes.Length != bytes.Length)
            throw new InvalidOperationException($"A training checkpoint holds {bytes.Length} bytes for a tensor of {source.bytes.Length}.");
        source.bytes = bytes;
        target.copy_(source);
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(Format);
            writer.Write(Epoch);
            writer.Write(Step);
            WriteAll(writer, _network);
            WriteAll(writer, _adam.Averages);
            WriteAll(writer, _adam.SquaredAverages);
            writer.Write(_adam.Steps.Length);
            foreach (long s in _adam.Steps)
                writer.Write(s);
            Write(writer, _generator);
        }
        return stream.ToArray();
    }

    public static TrainingCheckpoint FromBytes(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        int format = reader.ReadInt32();
        if (format != Format)
            throw new InvalidOperationException($"A training checkpoint has format {format}; this library reads format {Format}.");
        int epoch = reader.ReadInt32();
        long step = reader.ReadInt64();
        var network = ReadAll(reader);
        var averages = ReadAll(reader);
        var squared = ReadAll(reader);
        var steps = new long[reader.ReadInt32()];
        for (int i = 0; i < steps.Length; i++)
            steps[i] = reader.ReadInt64();
        return new TrainingCheckpoint(epoch, step, network!.Select(b => b!).ToArray(), new AdamOptimizer.State(averages, squared, steps), Read(reader)!);
    }

    private static void WriteAll(BinaryWriter writer, IReadOnlyList<byte[]?> arrays)
    {
        writer.Write(arrays.Count);
        foreach (var array in arrays)
            Write(writer, array);
    }

    private static void Write(BinaryWriter writer, byte[]? array)
    {
        writer.Write(array?.Length ?? -1);
        if (array is not null)
            writer.Write(array);
    }

    private static byte[]?[] ReadAll(BinaryReader reader)
    {
        var arrays = new byte[]?[reader.ReadInt32()];
        for (int i = 0; i < arrays.Length; i++)
            arrays[i] = Read(reader);
        return arrays;
    }

    private static byte[]? Read(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        return length < 0 ? null : reader.ReadBytes(length);
    }
}
