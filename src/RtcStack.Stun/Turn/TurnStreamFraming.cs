using System.Buffers.Binary;

namespace RtcStack.Stun.Turn;

/// <summary>What <see cref="TurnStreamFraming.TryGetFrameLength"/> found at the start of a stream buffer.</summary>
public enum TurnStreamFrameStatus
{
    /// <summary>A whole message's length is known (it may not all be buffered yet: compare with the buffer length).</summary>
    Complete,

    /// <summary>Too few bytes to tell the length yet.</summary>
    NeedMore,

    /// <summary>The bytes are neither a STUN message nor ChannelData: the stream is out of step and must be closed.</summary>
    Invalid,
}

/// <summary>
/// Splits the byte stream between a TURN client and server over TCP or TLS (RFC 8656 §3.1) into messages. STUN
/// messages delimit themselves (20-byte header plus the length field, RFC 8489 §5); ChannelData messages are padded
/// to a multiple of four bytes that the length field does not count (RFC 8656 §12.5), so the frame is
/// 4 + length rounded up to four. The first two bits tell them apart (0b00 STUN, 0b01 ChannelData, §12).
/// </summary>
public static class TurnStreamFraming
{
    /// <summary>The longest frame: a STUN message with the largest length field.</summary>
    public const int MaxFrameLength = StunMessageReader.HeaderLength + ushort.MaxValue;

    /// <summary>
    /// Reads the length of the frame that starts <paramref name="buffered"/> (the first 8 bytes suffice). Never throws.
    /// </summary>
    public static TurnStreamFrameStatus TryGetFrameLength(ReadOnlySpan<byte> buffered, out int frameLength)
    {
        frameLength = 0;
        if (buffered.IsEmpty)
        {
            return TurnStreamFrameStatus.NeedMore;
        }

        switch (buffered[0] >> 6)
        {
            case 0:
            {
                if (buffered.Length < 4)
                {
                    return TurnStreamFrameStatus.NeedMore;
                }

                int length = BinaryPrimitives.ReadUInt16BigEndian(buffered[2..]);

                // RFC 8489 §5: attributes are padded, so the length is a multiple of 4, and the magic cookie follows.
                if ((length & 3) != 0 || (buffered.Length >= 8 && BinaryPrimitives.ReadUInt32BigEndian(buffered[4..]) != StunMessageReader.MagicCookie))
                {
                    return TurnStreamFrameStatus.Invalid;
                }

                frameLength = StunMessageReader.HeaderLength + length;
                return TurnStreamFrameStatus.Complete;
            }

            case 1:
            {
                if (buffered.Length < ChannelData.HeaderLength)
                {
                    return TurnStreamFrameStatus.NeedMore;
                }

                ushort channel = BinaryPrimitives.ReadUInt16BigEndian(buffered);
                if (channel > ChannelData.MaxChannel)
                {
                    return TurnStreamFrameStatus.Invalid; // 0x5000-0x7FFF are reserved (RFC 8656 §12).
                }

                int length = BinaryPrimitives.ReadUInt16BigEndian(buffered[2..]);
                frameLength = (ChannelData.HeaderLength + length + 3) & ~3;
                return TurnStreamFrameStatus.Complete;
            }

            default:
                return TurnStreamFrameStatus.Invalid;
        }
    }
}
