namespace RtcStack.Opus.Ogg;

/// <summary>
/// Reads an Ogg Opus stream (RFC 7845) from a <see cref="Stream"/> page by page: verifies page CRCs
/// and skips damaged data to the next capture pattern, follows the first logical stream whose first
/// packet is OpusHead, reassembles packets that span pages, parses OpusHead and OpusTags, and yields
/// audio packets with their granule positions worked back from each page's granule position
/// (RFC 7845 §4), end trimming included. Holds one page and its packets in memory. Never throws on
/// bad data; I/O errors of the stream itself propagate.
/// </summary>
public sealed class OggOpusReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _input = new byte[2 * OggPage.MaxPageLength];
    private int _inputStart;
    private int _inputEnd;
    private bool _inputEof;

    private byte[] _packetData = new byte[OggPage.MaxPageLength];
    private int _packetDataLength;
    private readonly List<(int Offset, int Length)> _packets = [];
    private int _nextPacket;
    private int _carryStart;
    private int _carryLength;
    private bool _haveCarry;

    private readonly List<(int Offset, int Length, long Start, int Samples, int Trim, bool Valid)> _ready = [];
    private bool _haveSerial;
    private uint _serial;
    private uint _expectedSequence;
    private int _headerPackets;
    private long _granule = -1;
    private bool _endOfStream;
    private OggOpusReadResult? _fatal;

    /// <summary>Initializes a new instance of the <see cref="OggOpusReader"/> class.</summary>
    public OggOpusReader(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Gets or sets the largest packet accepted (a comment header with pictures can be large); default 16 MiB.</summary>
    public int MaxPacketLength { get; set; } = 16 << 20;

    /// <summary>Gets the identification header once read.</summary>
    public OpusHead? Head { get; private set; }

    /// <summary>Gets the comment header once read.</summary>
    public OpusTags? Tags { get; private set; }

    /// <summary>Gets the logical stream serial number once known.</summary>
    public uint SerialNumber => _serial;

    /// <summary>Gets the number of valid pages of the Opus stream read.</summary>
    public long PagesRead { get; private set; }

    /// <summary>Gets the number of pages whose CRC (or version) was wrong; they were skipped.</summary>
    public long CorruptPages { get; private set; }

    /// <summary>Gets the bytes skipped while looking for a capture pattern.</summary>
    public long BytesSkipped { get; private set; }

    /// <summary>Gets the number of gaps in page sequence numbers (lost pages); a packet cut by one is dropped.</summary>
    public long SequenceGaps { get; private set; }

    /// <summary>Gets the number of pages whose granule position disagreed with the packets on them (RFC 7845 §4).</summary>
    public long GranuleMismatches { get; private set; }

    /// <summary>Gets a value indicating whether the data ended inside a page.</summary>
    public bool Truncated { get; private set; }

    /// <summary>Reads the headers if not read yet; returns <see cref="OggOpusReadResult.Packet"/> when both are available.</summary>
    public OggOpusReadResult ReadHeaders()
    {
        while (_headerPackets < 2)
        {
            OggOpusReadResult? result = Advance();
            if (result is not null)
            {
                return result.Value;
            }
        }

        return OggOpusReadResult.Packet;
    }

    /// <summary>Returns the next audio packet with its timing, or why there is none.</summary>
    public OggOpusReadResult Read(out OggOpusPacket packet)
    {
        packet = default;
        while (true)
        {
            if (_fatal is OggOpusReadResult fatal)
            {
                return fatal;
            }

            if (_nextPacket < _ready.Count)
            {
                var p = _ready[_nextPacket++];
                bool last = _endOfStream && _nextPacket == _ready.Count;
                packet = new OggOpusPacket(_packetData.AsMemory(p.Offset, p.Length), p.Start, p.Samples, p.Trim, Head?.PreSkip ?? 0, p.Valid, last);
                return OggOpusReadResult.Packet;
            }

            if (_endOfStream)
            {
                return OggOpusReadResult.EndOfStream;
            }

            OggOpusReadResult? result = Advance();
            if (result is not null)
            {
                return result.Value;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    /// <summary>Reads one page of our stream and processes its packets; returns a terminal result or null to continue.</summary>
    private OggOpusReadResult? Advance()
    {
        if (!TryReadPage(out int pageStart, out int pageLength))
        {
            _endOfStream = true;
            return _headerPackets == 0 ? OggOpusReadResult.NotOpus : _headerPackets == 1 ? OggOpusReadResult.InvalidTags : OggOpusReadResult.EndOfStream;
        }

        OggPage.Read(_input.AsSpan(pageStart, pageLength), out OggPage page, out _);
        if (!_haveSerial)
        {
            if (!page.IsBeginningOfStream)
            {
                return null; // not a stream start; keep looking
            }

            ReadOnlySpan<byte> body = page.Body;
            if (!body.StartsWith("OpusHead"u8))
            {
                return null; // another codec's stream (e.g. a multiplexed video track)
            }

            _haveSerial = true;
            _serial = page.SerialNumber;
            _expectedSequence = page.SequenceNumber;
        }

        if (page.SerialNumber != _serial)
        {
            return null;
        }

        PagesRead++;
        if (page.SequenceNumber != _expectedSequence)
        {
            SequenceGaps++;
            _haveCarry = false;
            _carryLength = 0;
        }

        _expectedSequence = page.SequenceNumber + 1;

        // Collect packets completed on this page. The carry (a packet begun on earlier pages) moves
        // to the front of the packet buffer; the previous page's packets have been consumed.
        if (_haveCarry && _carryStart > 0)
        {
            _packetData.AsSpan(_carryStart, _carryLength).CopyTo(_packetData);
        }

        _carryStart = 0;
        _packets.Clear();
        _ready.Clear();
        _nextPacket = 0;
        _packetDataLength = _haveCarry ? _carryLength : 0;
        bool first = true;
        foreach (OggPacketPiece piece in page.GetSegments())
        {
            bool continuation = first && page.IsContinued;
            first = false;
            if (continuation && !_haveCarry)
            {
                // The start of this packet was lost (or we joined mid-stream): drop the piece.
                continue;
            }

            if (!continuation && _haveCarry)
            {
                // A packet was left unfinished but this page does not continue it: it is lost.
                _haveCarry = false;
                _packetDataLength = 0;
            }

            int start = continuation ? 0 : _packetDataLength;
            if ((long)_packetDataLength + piece.Data.Length > MaxPacketLength)
            {
                _fatal = OggOpusReadResult.PacketTooLarge;
                return _fatal;
            }

            EnsureCapacity(_packetDataLength + piece.Data.Length);
            piece.Data.CopyTo(_packetData.AsSpan(_packetDataLength));
            _packetDataLength += piece.Data.Length;
            if (piece.CompletesPacket)
            {
                _packets.Add((start, _packetDataLength - start));
                _haveCarry = false;
            }
            else
            {
                _haveCarry = true;
            }
        }

        if (_haveCarry)
        {
            // The unfinished packet starts after the last completed one (or at the front).
            _carryStart = _packets.Count > 0 ? _packets[^1].Offset + _packets[^1].Length : 0;
            _carryLength = _packetDataLength - _carryStart;
        }

        OggOpusReadResult? headerResult = HandleHeaders(page);
        if (headerResult is not null)
        {
            return headerResult;
        }

        if (_packets.Count > 0 && _headerPackets >= 2)
        {
            OggOpusReadResult? timing = AssignTiming(page);
            if (timing is not null)
            {
                _fatal = timing;
                return timing;
            }
        }

        if (page.IsEndOfStream)
        {
            _endOfStream = true;
        }

        return null;
    }

    private OggOpusReadResult? HandleHeaders(OggPage page)
    {
        int index = 0;
        while (_headerPackets < 2 && index < _packets.Count)
        {
            ReadOnlySpan<byte> data = _packetData.AsSpan(_packets[index].Offset, _packets[index].Length);
            if (_headerPackets == 0)
            {
                if (!OpusHead.TryParse(data, out OpusHead? head))
                {
                    _fatal = OggOpusReadResult.NotOpus;
                    return _fatal;
                }

                Head = head;
            }
            else
            {
                if (!OpusTags.TryParse(data, out OpusTags? tags))
                {
                    _fatal = OggOpusReadResult.InvalidTags;
                    return _fatal;
                }

                Tags = tags;
            }

            _headerPackets++;
            index++;
        }

        if (index > 0)
        {
            _packets.RemoveRange(0, index);
            if (_headerPackets == 2)
            {
                _granule = -1;
            }
        }

        return null;
    }

    /// <summary>RFC 7845 §4: work packet positions back from the page's granule position.</summary>
    private OggOpusReadResult? AssignTiming(OggPage page)
    {
        long total = 0;
        Span<int> samples = _packets.Count <= 256 ? stackalloc int[_packets.Count] : new int[_packets.Count];
        Span<bool> valid = _packets.Count <= 256 ? stackalloc bool[_packets.Count] : new bool[_packets.Count];
        for (int i = 0; i < _packets.Count; i++)
        {
            ReadOnlySpan<byte> data = _packetData.AsSpan(_packets[i].Offset, _packets[i].Length);
            int count = data.IsEmpty ? -1 : OpusPacket.GetSampleCount(data);
            valid[i] = count > 0;
            samples[i] = Math.Max(0, count);
            total += samples[i];
        }

        long pageGranule = page.GranulePosition;
        long start;
        long trim = 0;
        if (page.IsEndOfStream && _granule >= 0 && pageGranule >= _granule && pageGranule < _granule + total)
        {
            // End trimming (RFC 7845 §4.4): fewer samples than the packets decode to.
            start = _granule;
            trim = _granule + total - pageGranule;
        }
        else if (pageGranule >= total)
        {
            // Work back from the page's granule position (RFC 7845 §4); after lost pages this also
            // puts the packets back on the right time.
            start = pageGranule - total;
            if (_granule >= 0 && start != _granule)
            {
                GranuleMismatches++;
            }
        }
        else if (_granule < 0)
        {
            // First audio page holding more samples than its granule position (RFC 7845 §4.5):
            // only allowed on an end-of-stream page, and never below the pre-skip.
            if (!page.IsEndOfStream || pageGranule < (Head?.PreSkip ?? 0))
            {
                return OggOpusReadResult.InvalidGranule;
            }

            start = 0;
            trim = total - pageGranule;
        }
        else
        {
            GranuleMismatches++;
            start = _granule;
        }

        long trimLeft = trim;

        // Trim from the last packets backwards.
        Span<int> trims = _packets.Count <= 256 ? stackalloc int[_packets.Count] : new int[_packets.Count];
        for (int i = _packets.Count - 1; i >= 0 && trimLeft > 0; i--)
        {
            trims[i] = (int)Math.Min(trimLeft, samples[i]);
            trimLeft -= trims[i];
        }

        long position = start;
        for (int i = 0; i < _packets.Count; i++)
        {
            _ready.Add((_packets[i].Offset, _packets[i].Length, position, samples[i], trims[i], valid[i]));
            position += samples[i];
        }

        // Continue from the page's own granule position (it resynchronises after a mismatch).
        _granule = pageGranule >= 0 ? pageGranule : position;
        return null;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed > _packetData.Length)
        {
            Array.Resize(ref _packetData, Math.Max(needed, _packetData.Length * 2));
        }
    }

    /// <summary>Finds and validates the next page in the input; false at the end of the data.</summary>
    private bool TryReadPage(out int pageStart, out int pageLength)
    {
        pageStart = pageLength = 0;
        while (true)
        {
            ReadOnlySpan<byte> available = _input.AsSpan(_inputStart, _inputEnd - _inputStart);
            int capture = OggPage.FindCapturePattern(available, 0);
            if (capture < 0)
            {
                // Keep the last 3 bytes: they may begin a capture pattern.
                int keep = Math.Min(3, available.Length);
                BytesSkipped += available.Length - keep;
                _inputStart = _inputEnd - keep;
                if (!Fill())
                {
                    BytesSkipped += _inputEnd - _inputStart;
                    _inputStart = _inputEnd;
                    return false;
                }

                continue;
            }

            if (capture > 0)
            {
                BytesSkipped += capture;
                _inputStart += capture;
                available = available[capture..];
            }

            OggPageStatus status = OggPage.Read(available, out _, out int length);
            switch (status)
            {
                case OggPageStatus.Valid:
                    pageStart = _inputStart;
                    pageLength = length;
                    _inputStart += length;
                    return true;
                case OggPageStatus.NeedMoreData:
                    if (!Fill())
                    {
                        Truncated = true;
                        BytesSkipped += _inputEnd - _inputStart;
                        _inputStart = _inputEnd;
                        return false;
                    }

                    continue;
                default:
                    // Bad CRC or version: a false capture pattern or a damaged page; resync after it.
                    CorruptPages++;
                    BytesSkipped++;
                    _inputStart++;
                    continue;
            }
        }
    }

    /// <summary>Reads more input, compacting the buffer; false when the stream has ended.</summary>
    private bool Fill()
    {
        if (_inputEof)
        {
            return false;
        }

        if (_inputStart > 0)
        {
            _input.AsSpan(_inputStart, _inputEnd - _inputStart).CopyTo(_input);
            _inputEnd -= _inputStart;
            _inputStart = 0;
        }

        if (_inputEnd == _input.Length)
        {
            return false; // cannot happen: a page is at most half the buffer
        }

        int read = _stream.Read(_input, _inputEnd, _input.Length - _inputEnd);
        if (read == 0)
        {
            _inputEof = true;
            return false;
        }

        _inputEnd += read;
        return true;
    }
}
