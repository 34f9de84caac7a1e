namespace RtcStack.Opus.Ogg;

/// <summary>
/// Writes an Ogg Opus stream (RFC 7845) to a <see cref="Stream"/> as packets arrive: the OpusHead
/// page, the OpusTags page(s), then audio pages with granule positions (48 kHz samples at the end of
/// the last packet completed on each page, RFC 7845 §4), CRCs and lacing (RFC 3533), and an
/// end-of-stream page from <see cref="Finish"/>. At most one page is held in memory.
/// <see cref="WriteRtpPacket"/> records an RTP stream: timestamp gaps from loss or DTX are filled
/// with packets of zero-length frames that ask the decoder for concealment (RFC 7845 §4), so the
/// timeline has no holes. Not thread-safe.
/// </summary>
public sealed class OggOpusWriter : IDisposable
{
    private const int MaxSegments = 255;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly OggOpusWriterOptions _options;
    private readonly byte[] _page = new byte[OggPage.MaxPageLength];
    private readonly byte[] _lacing = new byte[MaxSegments];
    private readonly long _maxPageSamples;
    private readonly long _maxGapSamples;
    private int _segments;
    private int _bodyLength;
    private uint _sequence;
    private long _granule;
    private long _pageGranule = -1;
    private long _pageSamples;
    private bool _pageContinued;
    private bool _finished;
    private bool _rtpStarted;
    private uint _nextRtpTimestamp;
    private long _rtpRemainder;
    private OpusToc _lastToc = new(0xF8);

    /// <summary>Initializes a new instance of the <see cref="OggOpusWriter"/> class and writes the two header packets.</summary>
    public OggOpusWriter(Stream stream, OggOpusWriterOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _options = options ?? new OggOpusWriterOptions();
        _maxPageSamples = Math.Max(1, (long)(_options.MaxPageDuration.TotalSeconds * 48000));
        _maxGapSamples = (long)(_options.MaxGap.TotalSeconds * 48000);

        // RFC 7845 §3: OpusHead alone on the first page (BOS), granule 0.
        var head = new byte[_options.Head.Length];
        _options.Head.Write(head);
        AppendPacket(head);
        FlushPage(OggPageFlags.BeginningOfStream, granule: 0);

        // The comment header may span pages and MUST finish its last page; granule 0.
        var tags = new byte[_options.Tags.Length];
        _options.Tags.Write(tags);
        AppendPacket(tags, headerGranule: 0);
        FlushPage(OggPageFlags.None, granule: 0);
    }

    /// <summary>Gets the granule position after the last packet written (48 kHz samples, including pre-skip).</summary>
    public long GranulePosition => _granule;

    /// <summary>Gets the number of audio packets written (including concealment packets).</summary>
    public long PacketsWritten { get; private set; }

    /// <summary>Gets the number of pages written.</summary>
    public long PagesWritten { get; private set; }

    /// <summary>Gets the 48 kHz samples filled with concealment packets for gaps.</summary>
    public long GapSamplesFilled { get; private set; }

    /// <summary>Gets the number of RTP payloads dropped as late or duplicate.</summary>
    public long LatePackets { get; private set; }

    /// <summary>Gets the number of RTP payloads dropped as malformed.</summary>
    public long MalformedPackets { get; private set; }

    /// <summary>Gets the number of timestamp discontinuities not filled.</summary>
    public long Discontinuities { get; private set; }

    /// <summary>
    /// Appends one Opus packet (family 0 streams: exactly one packet per Ogg packet). Returns the
    /// packet status; an invalid packet (RFC 6716 §3.4) is not written.
    /// </summary>
    public OpusPacketStatus WritePacket(ReadOnlySpan<byte> packet)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        OpusPacketStatus status = OpusPacket.Parse(packet, out OpusPacket parsed);
        if (status != OpusPacketStatus.Valid)
        {
            return status;
        }

        _lastToc = parsed.Toc;
        WriteAudio(packet, parsed.SampleCount);
        return OpusPacketStatus.Valid;
    }

    /// <summary>
    /// Appends one RTP payload with its RTP timestamp (48 kHz, RFC 7587 §4.1). Payloads must arrive in
    /// timestamp order (put a jitter buffer in front to reorder); a gap before this payload is
    /// filled with concealment packets of the previous packet's configuration. Never throws on
    /// network input.
    /// </summary>
    public OggOpusWriteStatus WriteRtpPacket(ReadOnlySpan<byte> payload, uint rtpTimestamp)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (OpusPacket.Parse(payload, out OpusPacket parsed) != OpusPacketStatus.Valid)
        {
            MalformedPackets++;
            return OggOpusWriteStatus.Malformed;
        }

        OggOpusWriteStatus result = OggOpusWriteStatus.Written;
        if (_rtpStarted)
        {
            long gap = unchecked((int)(rtpTimestamp - _nextRtpTimestamp));
            if (gap < 0)
            {
                LatePackets++;
                return OggOpusWriteStatus.Late;
            }

            if (gap > _maxGapSamples)
            {
                Discontinuities++;
                result = OggOpusWriteStatus.Discontinuity;
            }
            else if (gap > 0)
            {
                FillGap(gap);
                result = OggOpusWriteStatus.GapFilled;
            }
        }

        _rtpStarted = true;
        _nextRtpTimestamp = unchecked(rtpTimestamp + (uint)parsed.SampleCount);
        _lastToc = parsed.Toc;
        WriteAudio(payload, parsed.SampleCount);
        return result;
    }

    /// <summary>Writes the page being filled now (if any) instead of waiting for it to fill.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_segments > 0)
        {
            FlushPage(OggPageFlags.None, _pageGranule);
        }

        _stream.Flush();
    }

    /// <summary>
    /// Ends the stream: writes the last page with the end-of-stream flag (RFC 7845 §3). With
    /// <paramref name="trimSamples"/> &gt; 0 the final granule position is that much smaller, so
    /// players drop the last samples (end trimming, RFC 7845 §4.4); it must not exceed the last packet.
    /// </summary>
    public void Finish(int trimSamples = 0)
    {
        if (_finished)
        {
            return;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(trimSamples);
        if (trimSamples > _pageSamples && trimSamples > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(trimSamples), "End trimming cannot remove more than the packets on the final page.");
        }

        long granule = _segments > 0 ? _pageGranule - trimSamples : _granule;
        FlushPage(OggPageFlags.EndOfStream, granule);
        _stream.Flush();
        _finished = true;
    }

    /// <summary>Finishes the stream (if not yet) and closes it unless asked to leave it open.</summary>
    public void Dispose()
    {
        Finish();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private void WriteAudio(ReadOnlySpan<byte> packet, int samples)
    {
        int segmentsNeeded = (packet.Length / 255) + 1;
        if (_segments > 0 && (_pageSamples + samples > _maxPageSamples || _segments + segmentsNeeded > MaxSegments))
        {
            FlushPage(OggPageFlags.None, _pageGranule);
        }

        _granule += samples;
        _pageSamples += samples;
        AppendPacket(packet, headerGranule: null);
        PacketsWritten++;
    }

    /// <summary>
    /// Fills <paramref name="gap"/> samples with packets whose frames are all empty (RFC 6716 §3.2.1:
    /// no data, so the decoder conceals), keeping the last configuration where the gap is a multiple
    /// of its frame size and using CELT 2.5–20 ms frames for the rest.
    /// </summary>
    private void FillGap(long gap)
    {
        gap += _rtpRemainder;
        Span<byte> packet = stackalloc byte[2];
        OpusToc toc = _lastToc;
        int frame = toc.SamplesPerFrame;
        while (gap >= 120)
        {
            if (gap < frame || frame % 120 != 0)
            {
                // Largest CELT frame (20, 10, 5, 2.5 ms) that fits; bandwidth only labels an empty frame.
                frame = gap >= 960 ? 960 : gap >= 480 ? 480 : gap >= 240 ? 240 : 120;
                OpusBandwidth bandwidth = toc.Bandwidth == OpusBandwidth.Mediumband ? OpusBandwidth.Wideband : toc.Bandwidth;
                OpusToc.TryGetConfiguration(OpusMode.Celt, bandwidth, frame, out int config);
                toc = OpusToc.Create(config, toc.IsStereo, 0);
            }

            int frames = (int)Math.Min(gap / frame, OpusPacket.MaxPacketSamples / frame);
            int length;
            if (frames == 1)
            {
                packet[0] = toc.WithFrameCountCode(0).Value;
                length = 1;
            }
            else
            {
                // Code 3 CBR with M empty frames: R = N - 2 = 0 is a multiple of M ([R6]).
                packet[0] = toc.WithFrameCountCode(3).Value;
                packet[1] = (byte)frames;
                length = 2;
            }

            WriteAudio(packet[..length], frames * frame);
            GapSamplesFilled += frames * frame;
            gap -= frames * frame;
        }

        // Less than 2.5 ms cannot be expressed; carry it to the next gap.
        _rtpRemainder = gap;
    }

    /// <summary>Adds a packet's lacing values and bytes to the current page, writing full pages as it goes.</summary>
    private void AppendPacket(ReadOnlySpan<byte> packet, long? headerGranule = null)
    {
        int offset = 0;
        while (true)
        {
            if (_segments == MaxSegments)
            {
                // The packet continues on the next page; this one completes nothing more.
                FlushPage(OggPageFlags.None, headerGranule ?? _pageGranule);
                _pageContinued = true;
            }

            int chunk = Math.Min(255, packet.Length - offset);
            packet.Slice(offset, chunk).CopyTo(_page.AsSpan(OggPage.HeaderLength + MaxSegments + _bodyLength));
            _lacing[_segments++] = (byte)chunk;
            _bodyLength += chunk;
            offset += chunk;
            if (chunk < 255)
            {
                break;
            }
        }

        _pageGranule = headerGranule ?? _granule;
    }

    private void FlushPage(OggPageFlags flags, long granule)
    {
        if (_pageContinued)
        {
            flags |= OggPageFlags.Continued;
        }

        // Body sits after room for 255 lacing values; move the header and lacing next to it.
        int bodyStart = OggPage.HeaderLength + MaxSegments;
        int headerStart = bodyStart - OggPage.HeaderLength - _segments;
        Span<byte> page = _page.AsSpan(headerStart, OggPage.HeaderLength + _segments + _bodyLength);
        OggPageWriter.WriteHeader(page, flags, granule, _options.SerialNumber, _sequence++, _segments);
        _lacing.AsSpan(0, _segments).CopyTo(page[OggPage.HeaderLength..]);
        OggPageWriter.SetChecksum(page);
        _stream.Write(page);
        PagesWritten++;
        _segments = 0;
        _bodyLength = 0;
        _pageSamples = 0;
        _pageGranule = -1;
        _pageContinued = false;
    }
}
