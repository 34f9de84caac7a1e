using System.Buffers.Binary;

namespace RtcStack.Dtls;

/// <summary>
/// A growable big-endian writer for building handshake messages and the transcript (handshake
/// messages are small and built a handful of times per connection, not on a hot path).
/// </summary>
internal sealed class MessageWriter
{
    private byte[] _buffer;
    private int _length;

    public MessageWriter(int capacity = 256)
    {
        _buffer = new byte[capacity];
    }

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void Clear() => _length = 0;

    public void WriteUInt8(int value)
    {
        Ensure(1);
        _buffer[_length++] = (byte)value;
    }

    public void WriteUInt16(int value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), (ushort)value);
        _length += 2;
    }

    public void WriteUInt24(int value)
    {
        Ensure(3);
        _buffer[_length] = (byte)(value >> 16);
        _buffer[_length + 1] = (byte)(value >> 8);
        _buffer[_length + 2] = (byte)value;
        _length += 3;
    }

    public void WriteUInt48(ulong value)
    {
        Ensure(6);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), (ushort)(value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length + 2), (uint)value);
        _length += 6;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Reserves a length prefix of <paramref name="prefixBytes"/> bytes; pass the result to <see cref="EndVector"/>.</summary>
    public int BeginVector(int prefixBytes)
    {
        Ensure(prefixBytes);
        int start = _length;
        _length += prefixBytes;
        return start;
    }

    public void EndVector(int start, int prefixBytes)
    {
        int len = _length - start - prefixBytes;
        Span<byte> p = _buffer.AsSpan(start, prefixBytes);
        for (int i = prefixBytes - 1; i >= 0; i--)
        {
            p[i] = (byte)len;
            len >>= 8;
        }
    }

    private void Ensure(int extra)
    {
        if (_length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }
    }
}
