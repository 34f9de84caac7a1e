using System.Buffers.Binary;

namespace RtcStack.Sctp.Packets;

/// <summary>
/// Writes one SCTP packet into a caller's buffer: the common header (RFC 9260 §3.1), then chunks
/// (each padded to 4 bytes, §3.2), then <see cref="Finish"/> fills in the CRC32c (§6.8). Every
/// Try method returns false, writing nothing, when the chunk does not fit.
/// </summary>
public ref struct SctpPacketWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    /// <summary>Starts a packet.</summary>
    /// <param name="buffer">Destination; its length is the largest packet allowed.</param>
    /// <param name="sourcePort">Source port.</param>
    /// <param name="destinationPort">Destination port.</param>
    /// <param name="verificationTag">Verification tag (RFC 9260 §8.5).</param>
    public SctpPacketWriter(Span<byte> buffer, ushort sourcePort, ushort destinationPort, uint verificationTag)
    {
        if (buffer.Length < SctpPacket.CommonHeaderLength)
        {
            throw new ArgumentException("buffer shorter than the common header", nameof(buffer));
        }

        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], verificationTag);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[8..], 0);
        _length = SctpPacket.CommonHeaderLength;
    }

    /// <summary>Gets the bytes written so far.</summary>
    public readonly int Length => _length;

    /// <summary>Gets the room left for chunks.</summary>
    public readonly int Remaining => _buffer.Length - _length;

    /// <summary>Gets whether no chunk has been written.</summary>
    public readonly bool IsEmpty => _length == SctpPacket.CommonHeaderLength;

    /// <summary>The padded size of a chunk whose value is <paramref name="valueLength"/> bytes.</summary>
    /// <param name="valueLength">Value length.</param>
    /// <returns>Bytes taken in the packet.</returns>
    public static int ChunkSize(int valueLength) => (SctpChunk.HeaderLength + valueLength + 3) & ~3;

    /// <summary>Reserves a chunk of <paramref name="valueLength"/> value bytes and returns its value to fill.</summary>
    /// <param name="type">Chunk type.</param>
    /// <param name="flags">Chunk flags.</param>
    /// <param name="valueLength">Length of the value.</param>
    /// <param name="value">The value region to fill.</param>
    /// <returns>False when it does not fit.</returns>
    public bool TryReserve(SctpChunkType type, byte flags, int valueLength, out Span<byte> value)
    {
        int total = ChunkSize(valueLength);
        if (valueLength > ushort.MaxValue - SctpChunk.HeaderLength || total > Remaining)
        {
            value = default;
            return false;
        }

        Span<byte> chunk = _buffer.Slice(_length, total);
        chunk[0] = (byte)type;
        chunk[1] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(chunk[2..], (ushort)(SctpChunk.HeaderLength + valueLength));
        chunk[(SctpChunk.HeaderLength + valueLength)..].Clear();
        value = chunk.Slice(SctpChunk.HeaderLength, valueLength);
        _length += total;
        return true;
    }

    /// <summary>Writes a chunk with the given value.</summary>
    /// <param name="type">Chunk type.</param>
    /// <param name="flags">Chunk flags.</param>
    /// <param name="value">Chunk value.</param>
    /// <returns>False when it does not fit.</returns>
    public bool TryWriteChunk(SctpChunkType type, byte flags, scoped ReadOnlySpan<byte> value)
    {
        if (!TryReserve(type, flags, value.Length, out Span<byte> v))
        {
            return false;
        }

        value.CopyTo(v);
        return true;
    }

    /// <summary>Copies an already encoded chunk (header included, padding optional).</summary>
    /// <param name="chunk">The chunk bytes.</param>
    /// <returns>False when it does not fit.</returns>
    public bool TryWriteRawChunk(scoped ReadOnlySpan<byte> chunk)
    {
        int total = (chunk.Length + 3) & ~3;
        if (total > Remaining)
        {
            return false;
        }

        chunk.CopyTo(_buffer[_length..]);
        _buffer.Slice(_length + chunk.Length, total - chunk.Length).Clear();
        _length += total;
        return true;
    }

    /// <summary>Writes a DATA chunk (RFC 9260 §3.3.1).</summary>
    /// <param name="flags">U, B, E, I bits.</param>
    /// <param name="tsn">TSN.</param>
    /// <param name="streamId">Stream identifier.</param>
    /// <param name="streamSequence">Stream sequence number.</param>
    /// <param name="ppid">Payload protocol identifier.</param>
    /// <param name="userData">User data.</param>
    /// <returns>False when it does not fit.</returns>
    public bool TryWriteData(byte flags, uint tsn, ushort streamId, ushort streamSequence, uint ppid, scoped ReadOnlySpan<byte> userData)
    {
        if (!TryReserve(SctpChunkType.Data, flags, 12 + userData.Length, out Span<byte> v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, tsn);
        BinaryPrimitives.WriteUInt16BigEndian(v[4..], streamId);
        BinaryPrimitives.WriteUInt16BigEndian(v[6..], streamSequence);
        BinaryPrimitives.WriteUInt32BigEndian(v[8..], ppid);
        userData.CopyTo(v[12..]);
        return true;
    }

    /// <summary>Writes an I-DATA chunk (RFC 8260 §2.1).</summary>
    /// <param name="flags">U, B, E, I bits.</param>
    /// <param name="tsn">TSN.</param>
    /// <param name="streamId">Stream identifier.</param>
    /// <param name="messageId">Message identifier.</param>
    /// <param name="ppidOrFsn">PPID for the first fragment, FSN otherwise.</param>
    /// <param name="userData">User data.</param>
    /// <returns>False when it does not fit.</returns>
    public bool TryWriteIData(byte flags, uint tsn, ushort streamId, uint messageId, uint ppidOrFsn, scoped ReadOnlySpan<byte> userData)
    {
        if (!TryReserve(SctpChunkType.IData, flags, 16 + userData.Length, out Span<byte> v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, tsn);
        BinaryPrimitives.WriteUInt16BigEndian(v[4..], streamId);
        BinaryPrimitives.WriteUInt16BigEndian(v[6..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(v[8..], messageId);
        BinaryPrimitives.WriteUInt32BigEndian(v[12..], ppidOrFsn);
        userData.CopyTo(v[16..]);
        return true;
    }

    /// <summary>Writes an INIT or INIT ACK chunk (RFC 9260 §3.3.2, §3.3.3).</summary>
    /// <param name="type">INIT or INIT ACK.</param>
    /// <param name="initiateTag">Initiate tag.</param>
    /// <param name="receiverWindow">a_rwnd.</param>
    /// <param name="outboundStreams">Number of outbound streams.</param>
    /// <param name="inboundStreams">Number of inbound streams.</param>
    /// <param name="initialTsn">Initial TSN.</param>
    /// <param name="parameters">Encoded parameters (each padded).</param>
    /// <returns>False when it does not fit.</returns>
    public bool TryWriteInit(SctpChunkType type, uint initiateTag, uint receiverWindow, ushort outboundStreams, ushort inboundStreams, uint initialTsn, scoped ReadOnlySpan<byte> parameters)
    {
        if (!TryReserve(type, 0, 16 + parameters.Length, out Span<byte> v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, initiateTag);
        BinaryPrimitives.WriteUInt32BigEndian(v[4..], receiverWindow);
        BinaryPrimitives.WriteUInt16BigEndian(v[8..], outboundStreams);
        BinaryPrimitives.WriteUInt16BigEndian(v[10..], inboundStreams);
        BinaryPrimitives.WriteUInt32BigEndian(v[12..], initialTsn);
        parameters.CopyTo(v[16..]);
        return true;
    }

    /// <summary>Writes a SACK chunk (RFC 9260 §3.3.4).</summary>
    /// <param name="cumulativeTsnAck">Cumulative TSN ack.</param>
    /// <param name="receiverWindow">a_rwnd.</param>
    /// <param name="gapBlocks">Gap ack blocks as offsets from the cumulative TSN ack.</param>
    /// <param name="duplicates">Duplicate TSNs.</param>
    /// <returns>False when it does not fit.</returns>
    public bool TryWriteSack(uint cumulativeTsnAck, uint receiverWindow, scoped ReadOnlySpan<(ushort Start, ushort End)> gapBlocks, scoped ReadOnlySpan<uint> duplicates)
    {
        if (!TryReserve(SctpChunkType.Sack, 0, 12 + (4 * (gapBlocks.Length + duplicates.Length)), out Span<byte> v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, cumulativeTsnAck);
        BinaryPrimitives.WriteUInt32BigEndian(v[4..], receiverWindow);
        BinaryPrimitives.WriteUInt16BigEndian(v[8..], (ushort)gapBlocks.Length);
        BinaryPrimitives.WriteUInt16BigEndian(v[10..], (ushort)duplicates.Length);
        int o = 12;
        foreach ((ushort start, ushort end) in gapBlocks)
        {
            BinaryPrimitives.WriteUInt16BigEndian(v[o..], start);
            BinaryPrimitives.WriteUInt16BigEndian(v[(o + 2)..], end);
            o += 4;
        }

        foreach (uint d in duplicates)
        {
            BinaryPrimitives.WriteUInt32BigEndian(v[o..], d);
            o += 4;
        }

        return true;
    }

    /// <summary>Writes a FORWARD TSN chunk (RFC 3758 §3.2).</summary>
    /// <param name="newCumulativeTsn">New cumulative TSN.</param>
    /// <param name="streams">(stream, SSN) pairs.</param>
    /// <returns>False when it does not fit.</returns>
    public bool TryWriteForwardTsn(uint newCumulativeTsn, scoped ReadOnlySpan<(ushort StreamId, ushort StreamSequence)> streams)
    {
        if (!TryReserve(SctpChunkType.ForwardTsn, 0, 4 + (4 * streams.Length), out Span<byte> v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, newCumulativeTsn);
        int o = 4;
        foreach ((ushort id, ushort ssn) in streams)
        {
            BinaryPrimitives.WriteUInt16BigEndian(v[o..], id);
            BinaryPrimitives.WriteUInt16BigEndian(v[(o + 2)..], ssn);
            o += 4;
        }

        return true;
    }

    /// <summary>Writes an I-FORWARD-TSN chunk (RFC 8260 §2.3.1).</summary>
    /// <param name="newCumulativeTsn">New cumulative TSN.</param>
    /// <param name="entries">(stream, U flag, largest skipped MID) entries.</param>
    /// <returns>False when it does not fit.</returns>
    public bool TryWriteIForwardTsn(uint newCumulativeTsn, scoped ReadOnlySpan<(ushort StreamId, bool Unordered, uint MessageId)> entries)
    {
        if (!TryReserve(SctpChunkType.IForwardTsn, 0, 4 + (8 * entries.Length), out Span<byte> v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, newCumulativeTsn);
        int o = 4;
        foreach ((ushort id, bool unordered, uint mid) in entries)
        {
            BinaryPrimitives.WriteUInt16BigEndian(v[o..], id);
            v[o + 2] = 0;
            v[o + 3] = (byte)(unordered ? 1 : 0);
            BinaryPrimitives.WriteUInt32BigEndian(v[(o + 4)..], mid);
            o += 8;
        }

        return true;
    }

    /// <summary>Writes a SHUTDOWN chunk (RFC 9260 §3.3.8).</summary>
    /// <param name="cumulativeTsnAck">Cumulative TSN ack.</param>
    /// <returns>False when it does not fit.</returns>
    public bool TryWriteShutdown(uint cumulativeTsnAck)
    {
        if (!TryReserve(SctpChunkType.Shutdown, 0, 4, out Span<byte> v))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(v, cumulativeTsnAck);
        return true;
    }

    /// <summary>Writes an ABORT or ERROR chunk carrying one error cause (RFC 9260 §3.3.7, §3.3.10).</summary>
    /// <param name="type">ABORT or ERROR.</param>
    /// <param name="flags">T bit for ABORT.</param>
    /// <param name="cause">The cause code.</param>
    /// <param name="causeInfo">Cause-specific information.</param>
    /// <returns>False when it does not fit.</returns>
    public bool TryWriteErrorCause(SctpChunkType type, byte flags, SctpErrorCause cause, scoped ReadOnlySpan<byte> causeInfo)
    {
        int causeLength = (SctpParameter.HeaderLength + causeInfo.Length + 3) & ~3;
        if (!TryReserve(type, flags, causeLength, out Span<byte> v))
        {
            return false;
        }

        SctpParameter.Write(v, (ushort)cause, causeInfo);
        return true;
    }

    /// <summary>Fills in the checksum and returns the packet length.</summary>
    /// <param name="zeroChecksum">Leave the checksum zero (RFC 9653, only when the peer accepted it).</param>
    /// <returns>The packet length.</returns>
    public readonly int Finish(bool zeroChecksum = false)
    {
        Span<byte> packet = _buffer[.._length];
        uint crc = zeroChecksum ? 0 : SctpPacket.ComputeChecksum(packet);
        BinaryPrimitives.WriteUInt32LittleEndian(packet[8..], crc);
        return _length;
    }
}
