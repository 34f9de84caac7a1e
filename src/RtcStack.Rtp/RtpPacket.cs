using System.Buffers.Binary;

namespace RtcStack.Rtp;

/// <summary>
/// A zero-copy view of one RTP packet (RFC 3550 §5.1). <see cref="TryParse"/> checks every length
/// field against the datagram (CSRC count, header extension length, padding count), so the
/// accessors below never read out of bounds.
/// </summary>
/// <remarks>
/// Layout: 12-byte fixed header, <see cref="CsrcCount"/> × 4 bytes of CSRC identifiers, an
/// optional header extension (4-byte profile/length word plus <c>length × 4</c> bytes,
/// RFC 3550 §5.3.1), the payload, and optional padding whose last byte counts the padding
/// bytes (including itself). SRTP authenticates the whole packet and encrypts from
/// <see cref="PayloadOffset"/> onwards (RFC 3711 §3.1).
/// </remarks>
public readonly ref struct RtpPacket
{
    /// <summary>RFC 3550 §5.1: the only RTP version defined.</summary>
    public const int Version2 = 2;

    /// <summary>Length of the fixed RTP header (RFC 3550 §5.1).</summary>
    public const int FixedHeaderLength = 12;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _headerLength;
    private readonly int _paddingLength;

    private RtpPacket(ReadOnlySpan<byte> data, int headerLength, int paddingLength)
    {
        _data = data;
        _headerLength = headerLength;
        _paddingLength = paddingLength;
    }

    /// <summary>Gets the whole packet as parsed.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>Gets the version field (always 2 after a successful parse).</summary>
    public int Version => _data[0] >> 6;

    /// <summary>Gets a value indicating whether the P bit is set (RFC 3550 §5.1).</summary>
    public bool HasPadding => (_data[0] & 0x20) != 0;

    /// <summary>Gets a value indicating whether the X bit is set: a header extension follows the CSRC list (RFC 3550 §5.3.1).</summary>
    public bool HasExtension => (_data[0] & 0x10) != 0;

    /// <summary>Gets the CSRC count (CC, RFC 3550 §5.1).</summary>
    public int CsrcCount => _data[0] & 0x0F;

    /// <summary>Gets the marker bit (RFC 3550 §5.1).</summary>
    public bool Marker => (_data[1] & 0x80) != 0;

    /// <summary>Gets the 7-bit payload type (RFC 3550 §5.1).</summary>
    public byte PayloadType => (byte)(_data[1] & 0x7F);

    /// <summary>Gets the 16-bit sequence number (RFC 3550 §5.1).</summary>
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_data[2..]);

    /// <summary>Gets the 32-bit RTP timestamp (RFC 3550 §5.1).</summary>
    public uint Timestamp => BinaryPrimitives.ReadUInt32BigEndian(_data[4..]);

    /// <summary>Gets the synchronization source identifier (RFC 3550 §5.1).</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_data[8..]);

    /// <summary>Gets the raw CSRC list, 4 bytes per identifier (RFC 3550 §5.1).</summary>
    public ReadOnlySpan<byte> CsrcBytes => _data.Slice(FixedHeaderLength, CsrcCount * 4);

    /// <summary>Gets the 16-bit "defined by profile" field of the header extension, or 0 when there is none (RFC 3550 §5.3.1).</summary>
    /// <remarks>0xBEDE marks the RFC 8285 one-byte form, 0x100X the two-byte form.</remarks>
    public ushort ExtensionProfile => HasExtension ? BinaryPrimitives.ReadUInt16BigEndian(_data[ExtensionOffset..]) : (ushort)0;

    /// <summary>Gets the header extension body, without its 4-byte profile/length word (RFC 3550 §5.3.1); empty when X is clear.</summary>
    public ReadOnlySpan<byte> ExtensionData => HasExtension
        ? _data[(ExtensionOffset + 4).._headerLength]
        : [];

    /// <summary>Gets the length of the whole RTP header: fixed part, CSRC list and header extension.</summary>
    public int HeaderLength => _headerLength;

    /// <summary>Gets the offset of the payload in <see cref="Data"/>; equal to <see cref="HeaderLength"/>. SRTP encrypts from here.</summary>
    public int PayloadOffset => _headerLength;

    /// <summary>Gets the number of padding bytes at the end, including the count byte (0 when P is clear).</summary>
    public int PaddingLength => _paddingLength;

    /// <summary>Gets the payload: the bytes between the header and the padding.</summary>
    public ReadOnlySpan<byte> Payload => _data[_headerLength..(_data.Length - _paddingLength)];

    /// <summary>Gets the header (fixed part, CSRCs, extension) as raw bytes.</summary>
    public ReadOnlySpan<byte> Header => _data[.._headerLength];

    private int ExtensionOffset => FixedHeaderLength + (CsrcCount * 4);

    /// <summary>Returns the CSRC identifier at <paramref name="index"/> (0 ≤ index &lt; <see cref="CsrcCount"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the CSRC list.</exception>
    public uint GetCsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, CsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_data[(FixedHeaderLength + (index * 4))..]);
    }

    /// <summary>
    /// Returns a reader over the RFC 8285 header extension elements. It fails (returns false) when
    /// the packet has no extension, the profile is neither one-byte nor two-byte, or an element
    /// runs past the extension block.
    /// </summary>
    public bool TryGetHeaderExtensions(out RtpHeaderExtensionReader reader)
    {
        if (!HasExtension)
        {
            reader = default;
            return false;
        }

        return RtpHeaderExtensionReader.TryParse(ExtensionProfile, ExtensionData, out reader);
    }

    /// <summary>
    /// Finds the RFC 8285 header extension element with local identifier <paramref name="id"/>.
    /// Returns false when the packet has no valid RFC 8285 extension block or no such element.
    /// </summary>
    public bool TryGetHeaderExtension(byte id, out ReadOnlySpan<byte> value)
    {
        if (TryGetHeaderExtensions(out RtpHeaderExtensionReader reader))
        {
            return reader.TryGet(id, out value);
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Parses <paramref name="data"/> as an RTP packet (RFC 3550 §5.1). Fails, without throwing, when
    /// the version is not 2, the datagram is shorter than the fixed header plus the CSRC list, the
    /// header extension length runs past the end, or the padding count is 0 or larger than what
    /// follows the header (RFC 3550 §5.1, P bit).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out RtpPacket packet)
    {
        packet = default;
        if (!RtpHeaderLength.TryGet(data, out int headerLength))
        {
            return false;
        }

        int paddingLength = 0;
        if ((data[0] & 0x20) != 0)
        {
            paddingLength = data[^1];
            if (paddingLength == 0 || paddingLength > data.Length - headerLength)
            {
                return false;
            }
        }

        packet = new RtpPacket(data, headerLength, paddingLength);
        return true;
    }
}
