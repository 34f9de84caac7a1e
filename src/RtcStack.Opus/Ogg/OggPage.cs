using System.Buffers.Binary;

namespace RtcStack.Opus.Ogg;

/// <summary>
/// A read-only view of one Ogg page (RFC 3533 §6): 27-byte header, lacing values, body. Reading
/// checks the capture pattern, version, lengths and CRC; it never throws and never allocates.
/// </summary>
public readonly ref struct OggPage
{
    /// <summary>The fixed header length, before the lacing values.</summary>
    public const int HeaderLength = 27;

    /// <summary>The largest possible page: header, 255 lacing values, 255 × 255 body bytes.</summary>
    public const int MaxPageLength = HeaderLength + 255 + (255 * 255);

    private readonly ReadOnlySpan<byte> _page;

    private OggPage(ReadOnlySpan<byte> page) => _page = page;

    /// <summary>Gets the whole page.</summary>
    public ReadOnlySpan<byte> Data => _page;

    /// <summary>Gets the header type flags.</summary>
    public OggPageFlags Flags => (OggPageFlags)_page[5];

    /// <summary>Gets a value indicating whether the page continues a packet from the previous page.</summary>
    public bool IsContinued => (Flags & OggPageFlags.Continued) != 0;

    /// <summary>Gets a value indicating whether this is the first page of its logical stream.</summary>
    public bool IsBeginningOfStream => (Flags & OggPageFlags.BeginningOfStream) != 0;

    /// <summary>Gets a value indicating whether this is the last page of its logical stream.</summary>
    public bool IsEndOfStream => (Flags & OggPageFlags.EndOfStream) != 0;

    /// <summary>Gets the granule position (for Opus: 48 kHz samples, RFC 7845 §4); -1 when no packet completes on the page.</summary>
    public long GranulePosition => BinaryPrimitives.ReadInt64LittleEndian(_page[6..]);

    /// <summary>Gets the logical bitstream serial number.</summary>
    public uint SerialNumber => BinaryPrimitives.ReadUInt32LittleEndian(_page[14..]);

    /// <summary>Gets the page sequence number.</summary>
    public uint SequenceNumber => BinaryPrimitives.ReadUInt32LittleEndian(_page[18..]);

    /// <summary>Gets the CRC stored in the page.</summary>
    public uint Checksum => BinaryPrimitives.ReadUInt32LittleEndian(_page[22..]);

    /// <summary>Gets the lacing values (segment table).</summary>
    public ReadOnlySpan<byte> LacingValues => _page.Slice(HeaderLength, _page[26]);

    /// <summary>Gets the page body.</summary>
    public ReadOnlySpan<byte> Body => _page[(HeaderLength + _page[26])..];

    /// <summary>Gets the number of packets that complete on this page (lacing values below 255).</summary>
    public int CompletedPacketCount
    {
        get
        {
            int count = 0;
            foreach (byte lacing in LacingValues)
            {
                count += lacing < 255 ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>Gets a value indicating whether the last packet on the page continues on the next page (last lacing value is 255).</summary>
    public bool EndsWithPartialPacket => _page[26] > 0 && LacingValues[^1] == 255;

    /// <summary>
    /// Reads one page from the start of <paramref name="data"/>. On success <paramref name="length"/>
    /// is the page length. Before the CRC is checked, all lengths are checked against the data.
    /// </summary>
    public static OggPageStatus Read(ReadOnlySpan<byte> data, out OggPage page, out int length)
    {
        page = default;
        length = 0;
        if (data.Length < 4)
        {
            return data.SequenceEqual("OggS"u8[..data.Length]) ? OggPageStatus.NeedMoreData : OggPageStatus.BadCapturePattern;
        }

        if (!data.StartsWith("OggS"u8))
        {
            return OggPageStatus.BadCapturePattern;
        }

        if (data.Length < HeaderLength)
        {
            return OggPageStatus.NeedMoreData;
        }

        if (data[4] != 0)
        {
            return OggPageStatus.UnsupportedVersion;
        }

        int segments = data[26];
        if (data.Length < HeaderLength + segments)
        {
            return OggPageStatus.NeedMoreData;
        }

        int body = 0;
        foreach (byte lacing in data.Slice(HeaderLength, segments))
        {
            body += lacing;
        }

        int total = HeaderLength + segments + body;
        if (data.Length < total)
        {
            return OggPageStatus.NeedMoreData;
        }

        ReadOnlySpan<byte> candidate = data[..total];
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(candidate[22..]);
        uint crc = OggCrc.Update(0, candidate[..22]);
        crc = OggCrc.Update(crc, [0, 0, 0, 0]);
        crc = OggCrc.Update(crc, candidate[26..]);
        if (crc != stored)
        {
            return OggPageStatus.BadCrc;
        }

        page = new OggPage(candidate);
        length = total;
        return OggPageStatus.Valid;
    }

    /// <summary>Returns the index of the next "OggS" capture pattern at or after <paramref name="start"/>, or -1.</summary>
    public static int FindCapturePattern(ReadOnlySpan<byte> data, int start)
    {
        if (start >= data.Length)
        {
            return -1;
        }

        int index = data[start..].IndexOf("OggS"u8);
        return index < 0 ? -1 : start + index;
    }

    /// <summary>Enumerates the packet pieces on the page: each run of lacing values ending below 255 completes a packet; a final run of 255s is a piece that continues on the next page.</summary>
    public SegmentEnumerator GetSegments() => new(LacingValues, Body);

    /// <summary>Walks the lacing values of a page, yielding packet pieces.</summary>
    public ref struct SegmentEnumerator
    {
        private readonly ReadOnlySpan<byte> _lacing;
        private readonly ReadOnlySpan<byte> _body;
        private int _index;
        private int _offset;

        internal SegmentEnumerator(ReadOnlySpan<byte> lacing, ReadOnlySpan<byte> body)
        {
            _lacing = lacing;
            _body = body;
            Current = default;
        }

        /// <summary>Gets the current piece.</summary>
        public OggPacketPiece Current { get; private set; }

        /// <summary>Advances to the next piece.</summary>
        public bool MoveNext()
        {
            if (_index >= _lacing.Length)
            {
                return false;
            }

            int start = _offset;
            bool complete = false;
            while (_index < _lacing.Length)
            {
                byte value = _lacing[_index++];
                _offset += value;
                if (value < 255)
                {
                    complete = true;
                    break;
                }
            }

            Current = new OggPacketPiece(_body[start.._offset], complete);
            return true;
        }

        /// <summary>Returns this enumerator (for foreach).</summary>
        public readonly SegmentEnumerator GetEnumerator() => this;
    }
}
