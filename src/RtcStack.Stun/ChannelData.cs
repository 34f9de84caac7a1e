using System.Buffers.Binary;

namespace RtcStack.Stun;

/// <summary>
/// RFC 8656 §12.4: the ChannelData message, a 4-byte header (channel number, length) and the
/// application data, which TURN uses instead of Send/Data indications once a channel is bound.
/// </summary>
public static class ChannelData
{
    /// <summary>The header length.</summary>
    public const int HeaderLength = 4;

    /// <summary>RFC 8656 §12: the lowest channel number a client may bind.</summary>
    public const ushort MinChannel = 0x4000;

    /// <summary>RFC 8656 §12: the highest channel number a client may bind.</summary>
    public const ushort MaxChannel = 0x4FFF;

    /// <summary>
    /// Reads a ChannelData message. Over UDP the datagram may carry up to 3 padding bytes after the
    /// data (RFC 8656 §12.5); more trailing bytes, a too-short datagram or a channel number outside
    /// 0x4000-0x4FFF is rejected. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out ushort channel, out ReadOnlySpan<byte> data)
    {
        channel = 0;
        data = default;
        if (datagram.Length < HeaderLength)
        {
            return false;
        }

        ushort number = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (number < MinChannel || number > MaxChannel || length > datagram.Length - HeaderLength || datagram.Length - HeaderLength - length > 3)
        {
            return false;
        }

        channel = number;
        data = datagram.Slice(HeaderLength, length);
        return true;
    }

    /// <summary>Writes a ChannelData message (unpadded, as RFC 8656 §12.5 allows over UDP) and returns its length.</summary>
    public static int Write(Span<byte> destination, ushort channel, ReadOnlySpan<byte> data)
    {
        if (channel < MinChannel || channel > MaxChannel)
        {
            throw new ArgumentOutOfRangeException(nameof(channel));
        }

        if (data.Length > ushort.MaxValue || destination.Length < HeaderLength + data.Length)
        {
            throw new ArgumentException("destination too small for the ChannelData message", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, channel);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)data.Length);
        data.CopyTo(destination[HeaderLength..]);
        return HeaderLength + data.Length;
    }
}
