using System.Buffers.Binary;

namespace RtcStack.Dtls;

/// <summary>
/// A bounds-checked big-endian reader over untrusted bytes (RFC 5246 §4 presentation language:
/// uint8/16/24/48 and length-prefixed vectors). Every read returns false instead of throwing.
/// </summary>
internal ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public SpanReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    public readonly int Remaining => _data.Length - _pos;

    public readonly int Position => _pos;

    public readonly ReadOnlySpan<byte> Rest => _data[_pos..];

    public bool TryReadUInt8(out byte value)
    {
        if (_pos >= _data.Length)
        {
            value = 0;
            return false;
        }

        value = _data[_pos++];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_data[_pos..]);
        _pos += 2;
        return true;
    }

    public bool TryReadUInt24(out int value)
    {
        if (Remaining < 3)
        {
            value = 0;
            return false;
        }

        value = (_data[_pos] << 16) | (_data[_pos + 1] << 8) | _data[_pos + 2];
        _pos += 3;
        return true;
    }

    public bool TryReadUInt48(out ulong value)
    {
        if (Remaining < 6)
        {
            value = 0;
            return false;
        }

        value = ((ulong)BinaryPrimitives.ReadUInt16BigEndian(_data[_pos..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(_data[(_pos + 2)..]);
        _pos += 6;
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> value)
    {
        if (count < 0 || Remaining < count)
        {
            value = default;
            return false;
        }

        value = _data.Slice(_pos, count);
        _pos += count;
        return true;
    }

    public bool TryReadVector8(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryReadUInt8(out byte len) && TryReadBytes(len, out value);
    }

    public bool TryReadVector16(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryReadUInt16(out ushort len) && TryReadBytes(len, out value);
    }

    public bool TryReadVector24(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryReadUInt24(out int len) && TryReadBytes(len, out value);
    }
}
