using Google.Protobuf;

namespace Microsoft.ML.Dvn.Tests.Onnx;

/// <summary>
/// What an ONNX model file holds, read straight from its protobuf fields (onnx.proto's field numbers): the graph's
/// inputs, outputs, node operators and initializers with their element counts.
/// </summary>
internal sealed class OnnxGraph
{
    private OnnxGraph(List<string> inputs, List<string> outputs, List<string> operators, Dictionary<string, long> initializers)
    {
        Inputs = inputs;
        Outputs = outputs;
        Operators = operators;
        Initializers = initializers;
    }

    public List<string> Inputs { get; }

    public List<string> Outputs { get; }

    /// <summary>The op_type of every node, in graph order.</summary>
    public List<string> Operators { get; }

    /// <summary>Every initializer's name and number of elements.</summary>
    public Dictionary<string, long> Initializers { get; }

    public static OnnxGraph Read(byte[] model)
    {
        // ModelProto.graph = 7; GraphProto: node = 1, initializer = 5, input = 11, output = 12;
        // NodeProto.op_type = 4; ValueInfoProto.name = 1; TensorProto: dims = 1, name = 8.
        var graph = Fields(ByteString.CopyFrom(model)).Single(f => f.Number == 7).Bytes!;
        var fields = Fields(graph);
        List<string> Names(int number) => fields.Where(f => f.Number == number).Select(f => Text(f.Bytes!, 1)).ToList();
        var operators = fields.Where(f => f.Number == 1).Select(f => Text(f.Bytes!, 4)).ToList();
        var initializers = fields.Where(f => f.Number == 5).Select(f => Fields(f.Bytes!))
            .ToDictionary(t => t.Single(f => f.Number == 8).Bytes!.ToStringUtf8(), t => Dimensions(t).Aggregate(1L, (a, b) => a * b));
        return new OnnxGraph(Names(11), Names(12), operators, initializers);
    }

    private static string Text(ByteString message, int number) => Fields(message).First(f => f.Number == number).Bytes!.ToStringUtf8();

    // TensorProto.dims (1): packed (one length-delimited field of varints) or one varint field a dimension.
    private static IEnumerable<long> Dimensions(List<Field> tensor)
    {
        foreach (var field in tensor.Where(f => f.Number == 1))
        {
            if (field.Bytes is null)
            {
                yield return (long)field.Varint;
                continue;
            }
            var packed = field.Bytes.CreateCodedInput();
            while (!packed.IsAtEnd)
                yield return packed.ReadInt64();
        }
    }

    private sealed record Field(int Number, ByteString? Bytes, ulong Varint);

    private static List<Field> Fields(ByteString message)
    {
        var input = message.CreateCodedInput();
        var fields = new List<Field>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint: fields.Add(new Field(number, null, input.ReadUInt64())); break;
                case WireFormat.WireType.LengthDelimited: fields.Add(new Field(number, input.ReadBytes(), 0)); break;
                case WireFormat.WireType.Fixed32: input.ReadFixed32(); break;
                case WireFormat.WireType.Fixed64: input.ReadFixed64(); break;
                default: throw new InvalidDataException($"Unexpected protobuf wire type in tag {tag}.");
            }
        }
        return fields;
    }
}
