using System.Buffers.Binary;

namespace RtcStack.Rtp;

/// <summary>
/// Reads the elements of an RFC 8285 header extension block, in either form. <see cref="TryParse"/>
/// walks the whole block once, so lookups and enumeration afterwards cannot fail.
/// </summary>
/// <remarks>
/// Padding bytes (value 0) between elements are skipped (RFC 8285 §4.1). In the one-byte form the
/// reserved ID 15 ends processing; elements before it are kept (RFC 8285 §4.2).
/// </remarks>
public readonly ref struct RtpHeaderExtensionReader
{
    /// <summary>RFC 8285 §4.2: profile value of the one-byte form.</summary>
    public const ushort OneByteProfile = 0xBEDE;

    /// <summary>RFC 8285 §4.3: profile value of the two-byte form, with the low 4 "appbits" zero.</summary>
    public const ushort TwoByteProfile = 0x1000;

    private readonly ReadOnlySpan<byte> _data;

    private RtpHeaderExtensionReader(ReadOnlySpan<byte> data, RtpHeaderExtensionForm form, byte appBits)
    {
        _data = data;
        Form = form;
        AppBits = appBits;
    }

    /// <summary>Gets the form of the block.</summary>
    public RtpHeaderExtensionForm Form { get; }

    /// <summary>Gets the 4 application bits of the two-byte profile (RFC 8285 §4.3); 0 in the one-byte form.</summary>
    public byte AppBits { get; }

    /// <summary>Gets the extension body (without the 4-byte profile/length word).</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>Returns true when <paramref name="profile"/> is an RFC 8285 profile value.</summary>
    public static bool IsRfc8285Profile(ushort profile) => profile == OneByteProfile || (profile & 0xFFF0) == TwoByteProfile;

    /// <summary>
    /// Validates an extension block: the profile must be 0xBEDE or 0x100X and every element must
    /// fit inside <paramref name="data"/> (the body after the profile/length word).
    /// </summary>
    public static bool TryParse(ushort profile, ReadOnlySpan<byte> data, out RtpHeaderExtensionReader reader)
    {
        reader = default;
        RtpHeaderExtensionForm form;
        byte appBits = 0;
        if (profile == OneByteProfile)
        {
            form = RtpHeaderExtensionForm.OneByte;
        }
        else if ((profile & 0xFFF0) == TwoByteProfile)
        {
            form = RtpHeaderExtensionForm.TwoByte;
            appBits = (byte)(profile & 0x0F);
        }
        else
        {
            return false;
        }

        var candidate = new RtpHeaderExtensionReader(data, form, appBits);
        Enumerator e = candidate.GetEnumerator();
        while (e.MoveNext())
        {
        }

        if (e.IsMalformed)
        {
            return false;
        }

        reader = candidate;
        return true;
    }

    /// <summary>
    /// Parses a whole extension block including its 4-byte profile/length word (RFC 3550 §5.3.1),
    /// as it appears in the packet after the CSRC list.
    /// </summary>
    public static bool TryParseBlock(ReadOnlySpan<byte> block, out RtpHeaderExtensionReader reader)
    {
        reader = default;
        if (block.Length < 4)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(block[2..]) * 4;
        if (length > block.Length - 4)
        {
            return false;
        }

        return TryParse(BinaryPrimitives.ReadUInt16BigEndian(block), block.Slice(4, length), out reader);
    }

    /// <summary>Finds the first element with local identifier <paramref name="id"/>.</summary>
    public bool TryGet(byte id, out ReadOnlySpan<byte> value)
    {
        Enumerator e = GetEnumerator();
        while (e.MoveNext())
        {
            if (e.Current.Id == id)
            {
                value = e.Current.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Returns an enumerator over the elements, in packet order.</summary>
    public Enumerator GetEnumerator() => new(_data, Form == RtpHeaderExtensionForm.TwoByte);

    /// <summary>Walks the elements of an extension block without allocating.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly bool _twoByte;
        private int _offset;
        private byte _id;
        private int _valueOffset;
        private int _valueLength;

        internal Enumerator(ReadOnlySpan<byte> data, bool twoByte)
        {
            _data = data;
            _twoByte = twoByte;
        }

        /// <summary>Gets the current element.</summary>
        public readonly RtpHeaderExtensionElement Current => new(_id, _data.Slice(_valueOffset, _valueLength));

        /// <summary>Gets a value indicating whether the walk stopped on an element that overruns the block.</summary>
        public bool IsMalformed { get; private set; }

        /// <summary>Advances to the next element; false at the end of the block, at ID 15 (one-byte form) or on a malformed element.</summary>
        public bool MoveNext()
        {
            while (_offset < _data.Length)
            {
                byte first = _data[_offset];
                if (first == 0)
                {
                    // RFC 8285 §4.1: padding byte between elements.
                    _offset++;
                    continue;
                }

                int id;
                int length;
                int headerSize;
                if (_twoByte)
                {
                    if (_offset + 2 > _data.Length)
                    {
                        IsMalformed = true;
                        _offset = _data.Length;
                        return false;
                    }

                    id = first;
                    length = _data[_offset + 1];
                    headerSize = 2;
                }
                else
                {
                    id = first >> 4;
                    if (id == 15)
                    {
                        // RFC 8285 §4.2: ID 15 stops processing; elements before it stand.
                        _offset = _data.Length;
                        return false;
                    }

                    if (id == 0)
                    {
                        // ID 0 with a non-zero length: reserved for padding, skip the byte.
                        _offset++;
                        continue;
                    }

                    length = (first & 0x0F) + 1;
                    headerSize = 1;
                }

                int valueOffset = _offset + headerSize;
                if (length > _data.Length - valueOffset)
                {
                    IsMalformed = true;
                    _offset = _data.Length;
                    return false;
                }

                _id = (byte)id;
                _valueOffset = valueOffset;
                _valueLength = length;
                _offset = valueOffset + length;
                return true;
            }

            return false;
        }
    }
}
