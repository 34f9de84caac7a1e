namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// Iterates over the packets of a compound RTCP packet (RFC 3550 §6.1) or a reduced-size one
/// (RFC 5506 §3). <see cref="TryParse"/> checks that the packets' length fields tile the datagram
/// exactly, so the enumeration afterwards cannot fail.
/// </summary>
public readonly ref struct RtcpCompoundReader
{
    private readonly ReadOnlySpan<byte> _data;

    private RtcpCompoundReader(ReadOnlySpan<byte> data, int packetCount)
    {
        _data = data;
        PacketCount = packetCount;
    }

    /// <summary>Gets the datagram.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>Gets the number of RTCP packets.</summary>
    public int PacketCount { get; }

    /// <summary>
    /// Gets a value indicating whether the datagram is a full compound packet by RFC 3550 §6.1
    /// and Appendix A.2: it starts with SR or RR, and only the last packet may be padded. A
    /// datagram that is not is only acceptable as reduced-size RTCP (RFC 5506 §3.1), when
    /// <c>a=rtcp-rsize</c> was negotiated.
    /// </summary>
    public bool IsFullCompound
    {
        get
        {
            int index = 0;
            foreach (RtcpPacket packet in this)
            {
                if (index == 0 && packet.PacketType is not (RtcpPacketType.SenderReport or RtcpPacketType.ReceiverReport))
                {
                    return false;
                }

                if (packet.HasPadding && index != PacketCount - 1)
                {
                    return false;
                }

                index++;
            }

            return index > 0;
        }
    }

    /// <summary>
    /// Validates the framing of a compound RTCP datagram: at least one packet, every packet
    /// version 2 with a length field and padding that fit, and no bytes left over.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out RtcpCompoundReader reader)
    {
        reader = default;
        int offset = 0;
        int count = 0;
        while (offset < data.Length)
        {
            if (!RtcpPacket.TryParse(data[offset..], out _, out int length))
            {
                return false;
            }

            offset += length;
            count++;
        }

        if (count == 0)
        {
            return false;
        }

        reader = new RtcpCompoundReader(data, count);
        return true;
    }

    /// <summary>Returns an enumerator over the packets.</summary>
    public Enumerator GetEnumerator() => new(_data);

    /// <summary>Walks the packets of a validated compound datagram.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _offset;
        private RtcpPacket _current;

        internal Enumerator(ReadOnlySpan<byte> data)
        {
            _data = data;
        }

        /// <summary>Gets the current packet.</summary>
        public readonly RtcpPacket Current => _current;

        /// <summary>Advances to the next packet.</summary>
        public bool MoveNext()
        {
            if (_offset >= _data.Length || !RtcpPacket.TryParse(_data[_offset..], out _current, out int length))
            {
                return false;
            }

            _offset += length;
            return true;
        }
    }
}
