using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>Generic NACK (RFC 4585 §6.2.1): RTPFB FMT 1, a list of PID/BLP pairs naming lost packets.</summary>
public readonly ref struct RtcpGenericNack
{
    private readonly RtcpFeedback _feedback;

    private RtcpGenericNack(RtcpFeedback feedback)
    {
        _feedback = feedback;
    }

    /// <summary>Gets the SSRC of the packet sender.</summary>
    public uint SenderSsrc => _feedback.SenderSsrc;

    /// <summary>Gets the SSRC of the media source whose packets are lost.</summary>
    public uint MediaSsrc => _feedback.MediaSsrc;

    /// <summary>Gets the number of PID/BLP pairs.</summary>
    public int PairCount => _feedback.Fci.Length / 4;

    /// <summary>Returns pair <paramref name="index"/>.</summary>
    public RtcpNackPair GetPair(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, PairCount);
        ReadOnlySpan<byte> fci = _feedback.Fci[(index * 4)..];
        return new RtcpNackPair(BinaryPrimitives.ReadUInt16BigEndian(fci), BinaryPrimitives.ReadUInt16BigEndian(fci[2..]));
    }

    /// <summary>Enumerates every lost sequence number the pairs name, in pair order.</summary>
    public LostEnumerator GetEnumerator() => new(this);

    /// <summary>Reads a generic NACK; fails unless the FCI is a non-empty multiple of 4 bytes.</summary>
    public static bool TryParse(RtcpPacket packet, out RtcpGenericNack nack)
    {
        nack = default;
        if (!RtcpFeedback.TryParse(packet, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.GenericNack, out RtcpFeedback feedback) ||
            feedback.Fci.Length == 0 || (feedback.Fci.Length & 3) != 0)
        {
            return false;
        }

        nack = new RtcpGenericNack(feedback);
        return true;
    }

    /// <summary>Writes a generic NACK with the given pairs.</summary>
    public static bool TryWrite(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<RtcpNackPair> pairs, out int bytesWritten)
    {
        bytesWritten = 0;
        int length = RtcpFeedback.FixedLength + (pairs.Length * 4);
        if (pairs.IsEmpty || destination.Length < length || length > RtcpPacket.MaxLength)
        {
            return false;
        }

        RtcpFeedback.WriteHeader(destination, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.GenericNack, length, senderSsrc, mediaSsrc);
        for (int i = 0; i < pairs.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(12 + (i * 4))..], pairs[i].PacketId);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(14 + (i * 4))..], pairs[i].LostBitmask);
        }

        bytesWritten = length;
        return true;
    }

    /// <summary>
    /// Writes a generic NACK naming <paramref name="lostSequenceNumbers"/> (in increasing order,
    /// modulo 2^16): each pair covers a PID and the 16 sequence numbers after it.
    /// </summary>
    public static bool TryWrite(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lostSequenceNumbers, out int bytesWritten)
    {
        bytesWritten = 0;
        if (lostSequenceNumbers.IsEmpty || destination.Length < RtcpFeedback.FixedLength + 4)
        {
            return false;
        }

        int offset = RtcpFeedback.FixedLength;
        int i = 0;
        while (i < lostSequenceNumbers.Length)
        {
            if (offset + 4 > destination.Length || offset + 4 > RtcpPacket.MaxLength)
            {
                return false;
            }

            ushort pid = lostSequenceNumbers[i++];
            ushort blp = 0;
            while (i < lostSequenceNumbers.Length)
            {
                int distance = (ushort)(lostSequenceNumbers[i] - pid);
                if (distance == 0)
                {
                    i++;
                    continue;
                }

                if (distance > 16)
                {
                    break;
                }

                blp |= (ushort)(1 << (distance - 1));
                i++;
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], pid);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], blp);
            offset += 4;
        }

        RtcpFeedback.WriteHeader(destination, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.GenericNack, offset, senderSsrc, mediaSsrc);
        bytesWritten = offset;
        return true;
    }

    /// <summary>Enumerates lost sequence numbers: each PID, then PID + i + 1 for each set BLP bit i.</summary>
    public ref struct LostEnumerator
    {
        private readonly RtcpGenericNack _nack;
        private int _pair;
        private int _bit;
        private ushort _current;

        internal LostEnumerator(RtcpGenericNack nack)
        {
            _nack = nack;
            _bit = -1;
        }

        /// <summary>Gets the current lost sequence number.</summary>
        public readonly ushort Current => _current;

        /// <summary>Advances to the next lost sequence number.</summary>
        public bool MoveNext()
        {
            while (_pair < _nack.PairCount)
            {
                RtcpNackPair pair = _nack.GetPair(_pair);
                if (_bit < 0)
                {
                    _bit = 0;
                    _current = pair.PacketId;
                    return true;
                }

                while (_bit < 16)
                {
                    int bit = _bit++;
                    if ((pair.LostBitmask & (1 << bit)) != 0)
                    {
                        _current = (ushort)(pair.PacketId + bit + 1);
                        return true;
                    }
                }

                _pair++;
                _bit = -1;
            }

            return false;
        }
    }
}
