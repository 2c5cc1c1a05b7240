using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>
/// Reads a part of the model payload (in memory, its checksum verified) value by value, little-endian, in the
/// encodings of <see cref="BinaryWriter"/>. Every read checks the bytes left first, and every count is checked against
/// the bytes left before anything is allocated or looped for it, so a file can never make the reader allocate or
/// loop more than its own size. Every failure is an <see cref="InvalidDataException"/> naming the field as
/// <c>scope.field</c>.
/// </summary>
internal sealed class PayloadReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _buffer;
    private readonly int _end;
    private readonly int _payloadEnd;
    private int _position;

    /// <summary>A reader of a whole payload.</summary>
    /// <param name="payload">The payload's bytes.</param>
    public PayloadReader(byte[] payload) : this(payload, 0, payload.Length, payload.Length, "")
    {
    }

    private PayloadReader(byte[] buffer, int start, int length, int payloadEnd, string scope)
    {
        _buffer = buffer;
        _position = start;
        _end = start + length;
        _payloadEnd = payloadEnd;
        Scope = scope;
    }

    /// <summary>Its name in messages: a section, or a field inside one.</summary>
    public string Scope { get; }

    /// <summary>The bytes left in this part.</summary>
    public int Remaining => _end - _position;

    /// <summary>The bytes left in the whole payload, from here on.</summary>
    public int PayloadRemaining => _payloadEnd - _position;

    /// <summary>A field's full name in messages: <c>scope.field</c>, <c>scope[i]</c> for an index, the scope for no field.</summary>
    public string Name(string field) =>
        Scope.Length == 0 ? field : field.Length == 0 ? Scope : field[0] == '[' ? Scope + field : $"{Scope}.{field}";

    public int Int32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(field, sizeof(int)));

    public uint UInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(field, sizeof(uint)));

    public long Int64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(field, sizeof(long)));

    public ulong UInt64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(field, sizeof(ulong)));

    public float Single(string field) => BinaryPrimitives.ReadSingleLittleEndian(Take(field, sizeof(float)));

    public double Double(string field) => BinaryPrimitives.ReadDoubleLittleEndian(Take(field, sizeof(double)));

    public bool Boolean(string field)
    {
        byte value = Take(field, 1)[0];
        InvalidModel.Require(value <= 1, Name(field), value, "0 or 1 (a boolean)");
        return value == 1;
    }

    /// <summary>A string as <see cref="BinaryWriter.Write(string)"/> writes it: a 7-bit encoded byte length, then UTF-8.</summary>
    public string String(string field)
    {
        int length = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte part = Take(field, 1)[0];
            if (shift == 28 && part > 0x07)
                throw InvalidModel.Error($"field '{Name(field)}' has a string length that does not fit 31 bits");
            length |= (part & 0x7F) << shift;
            if ((part & 0x80) == 0)
                break;
        }
        var bytes = Take(field, length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw InvalidModel.Error($"field '{Name(field)}' is not valid UTF-8 text", e);
        }
    }

    /// <summary>A list's entry count, checked against the bytes left: every entry takes at least <paramref name="bytesEach"/>.</summary>
    public int Count(string field, int bytesEach)
    {
        int count = Int32(field);
        if (count < 0 || count > Remaining / bytesEach)
            throw InvalidModel.Error($"field '{Name(field)}' claims {count} entries, but {Remaining} bytes are left for them " +
                                     $"(at least {bytesEach} an entry)");
        return count;
    }

    /// <summary>A list of int32 values: its count, then the values.</summary>
    public int[] Int32s(string field)
    {
        var values = new int[Count(field, sizeof(int))];
        for (int i = 0; i < values.Length; i++)
            values[i] = Int32(field);
        return values;
    }

    /// <summary>A list of int64 values: its count, then the values.</summary>
    public long[] Int64s(string field)
    {
        var values = new long[Count(field, sizeof(long))];
        for (int i = 0; i < values.Length; i++)
            values[i] = Int64(field);
        return values;
    }

    /// <summary>The next <paramref name="length"/> bytes as a reader of their own, named <paramref name="scope"/>.</summary>
    public PayloadReader Part(string field, long length, string scope)
    {
        if (length < 0 || length > Remaining)
            throw InvalidModel.Error($"field '{Name(field)}' claims {length} bytes, but {Remaining} are left");
        var part = new PayloadReader(_buffer, _position, (int)length, _payloadEnd, scope);
        _position += (int)length;
        return part;
    }

    /// <summary>The rest of this part as a reader named <paramref name="scope"/>; <see cref="Continue"/> moves past what it read.</summary>
    public PayloadReader Rest(string scope) => new(_buffer, _position, Remaining, _payloadEnd, scope);

    /// <summary>Moves past what <paramref name="rest"/>, made by <see cref="Rest"/>, has read.</summary>
    public void Continue(PayloadReader rest) => _position = rest._position;

    /// <summary>The bytes that <paramref name="parse"/> reads, as a reader of their own, named <paramref name="scope"/>.</summary>
    public PayloadReader Parsed(string scope, Action<PayloadReader> parse)
    {
        int start = _position;
        parse(this);
        return new PayloadReader(_buffer, start, _position - start, _payloadEnd, scope);
    }

    /// <summary>The next <paramref name="length"/> bytes, not copied.</summary>
    public ReadOnlyMemory<byte> Bytes(string field, long length)
    {
        if (length < 0 || length > Remaining)
            throw InvalidModel.Error($"field '{Name(field)}' needs {length} bytes, but {Remaining} are left");
        var bytes = _buffer.AsMemory(_position, (int)length);
        _position += (int)length;
        return bytes;
    }

    /// <summary>Fails unless every byte was read: a file has nothing after its last field.</summary>
    public void End()
    {
        if (Remaining != 0)
            throw InvalidModel.Error($"{Remaining} bytes follow the last value of {(Scope.Length == 0 ? "the payload" : $"'{Scope}'")}");
    }

    private ReadOnlySpan<byte> Take(string field, int count)
    {
        if (count > Remaining)
            throw InvalidModel.Error($"field '{Name(field)}' is cut short ({Remaining} of {count} bytes left)");
        var bytes = _buffer.AsSpan(_position, count);
        _position += count;
        return bytes;
    }
}
