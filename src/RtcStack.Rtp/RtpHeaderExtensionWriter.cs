using System.Buffers.Binary;

namespace RtcStack.Rtp;

/// <summary>
/// Writes an RFC 8285 header extension block (the 4-byte profile/length word of RFC 3550 §5.3.1
/// and the elements) into a caller's buffer, without allocating.
/// </summary>
/// <remarks>
/// Add elements with <see cref="TryAdd"/> or the typed helpers, then call <see cref="Finish"/>,
/// which writes the profile and length and pads the block with zero bytes to a multiple of 4
/// (RFC 8285 §4.1). In <see cref="RtpHeaderExtensionMode.Mixed"/> the writer starts in the one-byte
/// form and, when an element needs the two-byte form, rewrites the elements already added in place.
/// </remarks>
public ref struct RtpHeaderExtensionWriter
{
    private readonly Span<byte> _destination;
    private readonly RtpHeaderExtensionMode _mode;
    private RtpHeaderExtensionForm _form;
    private int _length;
    private int _count;

    /// <summary>Initializes a writer over <paramref name="destination"/>, which receives the whole block starting with the profile word.</summary>
    public RtpHeaderExtensionWriter(Span<byte> destination, RtpHeaderExtensionMode mode)
    {
        _destination = destination;
        _mode = mode;
        _form = mode == RtpHeaderExtensionMode.TwoByte ? RtpHeaderExtensionForm.TwoByte : RtpHeaderExtensionForm.OneByte;
        _length = 4;
    }

    /// <summary>Gets the form the block currently uses.</summary>
    public readonly RtpHeaderExtensionForm Form => _form;

    /// <summary>Gets the number of elements added.</summary>
    public readonly int Count => _count;

    /// <summary>Gets the number of bytes the block will take after <see cref="Finish"/> (profile word, elements, padding).</summary>
    public readonly int FinishedLength => (_length + 3) & ~3;

    /// <summary>Returns true when an element with this ID and data length can be written in the one-byte form (RFC 8285 §4.2).</summary>
    public static bool FitsOneByteForm(byte id, int length) => id is >= 1 and <= 14 && length is >= 1 and <= 16;

    /// <summary>
    /// Adds an element. Returns false, leaving the block unchanged, when the ID is 0 (reserved),
    /// the ID or length does not fit the allowed forms, or the buffer is too small.
    /// </summary>
    public bool TryAdd(byte id, scoped ReadOnlySpan<byte> value)
    {
        if (!TryReserve(id, value.Length, out Span<byte> target))
        {
            return false;
        }

        value.CopyTo(target);
        return true;
    }

    /// <summary>
    /// Reserves an element of <paramref name="length"/> bytes and returns the span to fill, so
    /// typed helpers write their value in place. Same rules as <see cref="TryAdd"/>.
    /// </summary>
    public bool TryReserve(byte id, int length, out Span<byte> value)
    {
        value = default;
        if (id == 0 || length < 0 || length > 255)
        {
            return false;
        }

        if (_form == RtpHeaderExtensionForm.OneByte && !FitsOneByteForm(id, length))
        {
            if (_mode != RtpHeaderExtensionMode.Mixed || !TryUpgradeToTwoByte(2 + length))
            {
                return false;
            }
        }

        int headerSize = _form == RtpHeaderExtensionForm.OneByte ? 1 : 2;
        if (_length + headerSize + length > _destination.Length || FinishedLengthAfter(headerSize + length) > 4 + (ushort.MaxValue * 4))
        {
            return false;
        }

        if (_form == RtpHeaderExtensionForm.OneByte)
        {
            _destination[_length] = (byte)((id << 4) | (length - 1));
        }
        else
        {
            _destination[_length] = id;
            _destination[_length + 1] = (byte)length;
        }

        value = _destination.Slice(_length + headerSize, length);
        _length += headerSize + length;
        _count++;
        return true;
    }

    /// <summary>Adds ssrc-audio-level (RFC 6464 §3): voice activity flag and level in -dBov (0-127).</summary>
    public bool TryAddAudioLevel(byte id, bool voiceActivity, byte level)
    {
        if (!TryReserve(id, AudioLevelExtension.Length, out Span<byte> value))
        {
            return false;
        }

        AudioLevelExtension.Write(value, voiceActivity, level);
        return true;
    }

    /// <summary>Adds abs-send-time: the 24-bit 6.18 fixed-point send time (webrtc.org abs-send-time).</summary>
    public bool TryAddAbsSendTime(byte id, uint absSendTime24)
    {
        if (!TryReserve(id, AbsSendTimeExtension.Length, out Span<byte> value))
        {
            return false;
        }

        AbsSendTimeExtension.Write(value, absSendTime24);
        return true;
    }

    /// <summary>Adds the transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2).</summary>
    public bool TryAddTransportSequenceNumber(byte id, ushort sequenceNumber)
    {
        if (!TryReserve(id, TransportSequenceNumberExtension.Length, out Span<byte> value))
        {
            return false;
        }

        TransportSequenceNumberExtension.Write(value, sequenceNumber);
        return true;
    }

    /// <summary>
    /// Adds an SDES-item extension carrying text (RFC 7941): sdes:mid (RFC 9143 §15),
    /// rtp-stream-id and repaired-rtp-stream-id (RFC 8852 §3). <paramref name="utf8Value"/> must be 1-255 bytes.
    /// </summary>
    public bool TryAddText(byte id, scoped ReadOnlySpan<byte> utf8Value) => !utf8Value.IsEmpty && TryAdd(id, utf8Value);

    /// <summary>Adds an SDES-item extension from a string; see <see cref="TryAddText(byte, ReadOnlySpan{byte})"/>.</summary>
    public bool TryAddText(byte id, scoped ReadOnlySpan<char> value)
    {
        int length = System.Text.Encoding.UTF8.GetByteCount(value);
        if (length == 0 || !TryReserve(id, length, out Span<byte> target))
        {
            return false;
        }

        System.Text.Encoding.UTF8.GetBytes(value, target);
        return true;
    }

    /// <summary>
    /// Writes the profile and length word and the zero padding to a 32-bit boundary, and returns
    /// the total block length (a multiple of 4). Returns 0 when no element was added: an empty
    /// block is not worth sending, and the caller should then leave the X bit clear.
    /// </summary>
    public readonly int Finish()
    {
        if (_count == 0)
        {
            return 0;
        }

        int total = FinishedLength;
        _destination[_length..total].Clear();
        ushort profile = _form == RtpHeaderExtensionForm.OneByte
            ? RtpHeaderExtensionReader.OneByteProfile
            : RtpHeaderExtensionReader.TwoByteProfile;
        BinaryPrimitives.WriteUInt16BigEndian(_destination, profile);
        BinaryPrimitives.WriteUInt16BigEndian(_destination[2..], (ushort)((total - 4) / 4));
        return total;
    }

    private readonly int FinishedLengthAfter(int extra) => (_length + extra + 3) & ~3;

    // Rewrites the one-byte elements already written as two-byte elements. Each element grows by
    // one byte, so the body is first moved right by _count bytes and then copied forward element
    // by element; the write position never passes the read position.
    private bool TryUpgradeToTwoByte(int nextElementSize)
    {
        int body = _length - 4;
        if (_length + _count + nextElementSize > _destination.Length)
        {
            return false;
        }

        int shift = _count;
        _destination.Slice(4, body).CopyTo(_destination.Slice(4 + shift, body));
        int read = 4 + shift;
        int end = 4 + shift + body;
        int write = 4;
        while (read < end)
        {
            byte first = _destination[read];
            int id = first >> 4;
            int length = (first & 0x0F) + 1;
            _destination[write] = (byte)id;
            _destination[write + 1] = (byte)length;
            _destination.Slice(read + 1, length).CopyTo(_destination.Slice(write + 2, length));
            read += 1 + length;
            write += 2 + length;
        }

        _length = write;
        _form = RtpHeaderExtensionForm.TwoByte;
        return true;
    }
}
