using System.Buffers.Binary;

namespace RtcStack.Rtp;

/// <summary>
/// Writes an RTP packet (RFC 3550 §5.1) into a caller's buffer in order: header and CSRCs, an
/// optional RFC 8285 header extension, the payload, optional padding. Nothing is allocated.
/// </summary>
/// <example>
/// <code>
/// var writer = new RtpPacketWriter(buffer);
/// writer.TryWriteHeader(new RtpHeader(111, seq, ts, ssrc));
/// RtpHeaderExtensionWriter ext = writer.BeginHeaderExtension(RtpHeaderExtensionMode.Mixed);
/// ext.TryAddTransportSequenceNumber(3, twSeq);
/// writer.TryEndHeaderExtension(ext.Finish());
/// writer.TryWritePayload(opusFrame);
/// ReadOnlySpan&lt;byte&gt; packet = writer.Written;
/// </code>
/// </example>
public ref struct RtpPacketWriter
{
    private readonly Span<byte> _destination;
    private int _length;
    private int _headerLength;
    private Stage _stage;

    /// <summary>Initializes a writer over <paramref name="destination"/>.</summary>
    public RtpPacketWriter(Span<byte> destination)
    {
        _destination = destination;
    }

    private enum Stage
    {
        Empty,
        Header,
        Extension,
        Payload,
        Padded,
    }

    /// <summary>Gets the number of bytes written so far.</summary>
    public readonly int Length => _length;

    /// <summary>Gets the bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _destination[.._length];

    /// <summary>Gets the length of the header (fixed part, CSRCs, extension) once the payload stage is reached; SRTP encrypts from here.</summary>
    public readonly int HeaderLength => _headerLength;

    /// <summary>Writes the fixed header and up to 15 CSRC identifiers (RFC 3550 §5.1). Must be called first.</summary>
    /// <exception cref="InvalidOperationException">The header was already written.</exception>
    /// <exception cref="ArgumentOutOfRangeException">PT above 127 or more than 15 CSRCs.</exception>
    public bool TryWriteHeader(in RtpHeader header, scoped ReadOnlySpan<uint> csrcs = default)
    {
        if (_stage != Stage.Empty)
        {
            throw new InvalidOperationException("The RTP header was already written.");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(header.PayloadType, (byte)127);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(csrcs.Length, 15);
        int length = RtpPacket.FixedHeaderLength + (csrcs.Length * 4);
        if (_destination.Length < length)
        {
            return false;
        }

        _destination[0] = (byte)((RtpPacket.Version2 << 6) | csrcs.Length);
        _destination[1] = (byte)((header.Marker ? 0x80 : 0) | header.PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(_destination[2..], header.SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(_destination[4..], header.Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(_destination[8..], header.Ssrc);
        for (int i = 0; i < csrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_destination[(12 + (i * 4))..], csrcs[i]);
        }

        _length = length;
        _stage = Stage.Header;
        return true;
    }

    /// <summary>Returns a writer for the RFC 8285 header extension, placed right after the CSRC list.</summary>
    /// <exception cref="InvalidOperationException">Not directly after <see cref="TryWriteHeader"/>.</exception>
    public readonly RtpHeaderExtensionWriter BeginHeaderExtension(RtpHeaderExtensionMode mode)
    {
        if (_stage != Stage.Header)
        {
            throw new InvalidOperationException("The header extension follows the fixed header and comes before the payload.");
        }

        return new RtpHeaderExtensionWriter(_destination[_length..], mode);
    }

    /// <summary>
    /// Completes the header extension started with <see cref="BeginHeaderExtension"/>;
    /// <paramref name="blockLength"/> is the value <see cref="RtpHeaderExtensionWriter.Finish"/>
    /// returned. A length of 0 leaves the X bit clear.
    /// </summary>
    public bool TryEndHeaderExtension(int blockLength)
    {
        if (_stage != Stage.Header)
        {
            throw new InvalidOperationException("The header extension follows the fixed header and comes before the payload.");
        }

        if (blockLength == 0)
        {
            return true;
        }

        if (blockLength < 4 || (blockLength & 3) != 0 || blockLength > _destination.Length - _length)
        {
            return false;
        }

        _destination[0] |= 0x10;
        _length += blockLength;
        _stage = Stage.Extension;
        return true;
    }

    /// <summary>
    /// Writes a raw header extension (RFC 3550 §5.3.1): the 16-bit profile value and a body whose
    /// length must be a multiple of 4. For RFC 8285 elements use <see cref="BeginHeaderExtension"/>.
    /// </summary>
    public bool TryWriteRawHeaderExtension(ushort profile, scoped ReadOnlySpan<byte> body)
    {
        if (_stage != Stage.Header)
        {
            throw new InvalidOperationException("The header extension follows the fixed header and comes before the payload.");
        }

        if ((body.Length & 3) != 0 || body.Length / 4 > ushort.MaxValue || 4 + body.Length > _destination.Length - _length)
        {
            return false;
        }

        Span<byte> block = _destination[_length..];
        BinaryPrimitives.WriteUInt16BigEndian(block, profile);
        BinaryPrimitives.WriteUInt16BigEndian(block[2..], (ushort)(body.Length / 4));
        body.CopyTo(block[4..]);
        _destination[0] |= 0x10;
        _length += 4 + body.Length;
        _stage = Stage.Extension;
        return true;
    }

    /// <summary>Appends payload bytes (may be called several times).</summary>
    public bool TryWritePayload(scoped ReadOnlySpan<byte> payload)
    {
        EnterPayload();
        if (payload.Length > _destination.Length - _length)
        {
            return false;
        }

        payload.CopyTo(_destination[_length..]);
        _length += payload.Length;
        return true;
    }

    /// <summary>Returns the free space after what was written, for encoders that write the payload in place; call <see cref="AdvancePayload"/> after.</summary>
    public Span<byte> GetPayloadBuffer()
    {
        EnterPayload();
        return _destination[_length..];
    }

    /// <summary>Records that <paramref name="count"/> payload bytes were written into <see cref="GetPayloadBuffer"/>.</summary>
    public void AdvancePayload(int count)
    {
        EnterPayload();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _destination.Length - _length);
        _length += count;
    }

    /// <summary>
    /// Appends <paramref name="count"/> bytes of padding (1-255) and sets the P bit (RFC 3550 §5.1):
    /// zero bytes followed by the count. Ends the packet.
    /// </summary>
    public bool TryWritePadding(int count)
    {
        EnterPayload();
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 255);
        if (count > _destination.Length - _length)
        {
            return false;
        }

        _destination.Slice(_length, count - 1).Clear();
        _destination[_length + count - 1] = (byte)count;
        _destination[0] |= 0x20;
        _length += count;
        _stage = Stage.Padded;
        return true;
    }

    /// <summary>Writes a whole packet without extension in one call and returns its length, or 0 when it does not fit.</summary>
    public static int Write(Span<byte> destination, in RtpHeader header, ReadOnlySpan<byte> payload, ReadOnlySpan<uint> csrcs = default)
    {
        var writer = new RtpPacketWriter(destination);
        return writer.TryWriteHeader(header, csrcs) && writer.TryWritePayload(payload) ? writer.Length : 0;
    }

    private void EnterPayload()
    {
        switch (_stage)
        {
            case Stage.Empty:
                throw new InvalidOperationException("Write the RTP header first.");
            case Stage.Header:
            case Stage.Extension:
                _headerLength = _length;
                _stage = Stage.Payload;
                break;
            case Stage.Padded:
                throw new InvalidOperationException("The packet is complete: padding ends it.");
        }
    }
}
