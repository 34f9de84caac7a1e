using System.Buffers.Binary;
using System.Security.Cryptography;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;

namespace RtcStack.WebRtc.Streams;

/// <summary>
/// One outgoing RTP stream (one SSRC, RFC 3550 §8) and what RFC 3550, 4585, 4588 and 5104 attach to it: sequence
/// numbers, the send history, retransmissions on NACK (RFC 4585 §6.2.1) as RTX (RFC 4588 §4) when negotiated, the
/// content of its sender reports (§6.4.1), what receivers report about it (remote-inbound stats, RTT), key frame
/// requests (PLI, RFC 4585 §6.3.1; FIR, RFC 5104 §4.3.1) and padding for probing.
/// </summary>
/// <remarks>
/// Sans-IO: time is an input and nothing is sent from here. The session writes media through
/// <see cref="TryWritePacket"/> or <see cref="Prepare"/>, feeds RTCP in, and drains
/// <see cref="TryPollRetransmission"/> and <see cref="TryTakeKeyframeRequest"/>. The stream has no timers of its own:
/// a queued retransmission is due at once. Payload types are opaque here (header writing is RtcStack.Rtp's). Steady
/// state allocates nothing. Without RTX a retransmission is the very same plain packet (same sequence number): the
/// transport must protect it to the same SRTP index, as RFC 4588 §1 notes that retransmitting on the original stream
/// reuses it.
/// </remarks>
public sealed class RtpSendStream
{
    private const int FirRequesters = 8;

    private readonly int _clockRate;
    private readonly uint? _rtxSsrc;
    private readonly short[] _rtxPayloadTypeFor = new short[128];
    private readonly int _historySize;
    private readonly int _historyBytes;
    private PacketHistory? _history;
    private readonly TimeSpan _maxRetransmitAge;
    private readonly RetransmissionBudget _budget;
    private readonly RetransmissionBudget? _sharedBudget;
    private readonly TimeProvider _wallClock;
    private DateTimeOffset? _wallClockAtZero;
    private readonly ushort[] _pending;
    private readonly uint[] _firSsrcs = new uint[FirRequesters];
    private readonly byte[] _firSequence = new byte[FirRequesters];
    private int _firCount;
    private int _firNext;
    private int _pendingHead;
    private int _pendingCount;
    private ushort _nextSequenceNumber;
    private ushort _nextRtxSequenceNumber;

    private bool _sentMedia;
    private uint _lastTimestamp;
    private TimeSpan _lastTimestampAt;
    private byte _lastPayloadType;

    private long _packetsSent;
    private long _bytesSent;
    private long _headerBytesSent;
    private uint _senderPacketCount;
    private uint _senderOctetCount;
    private long _retransmittedPacketsSent;
    private long _retransmittedBytesSent;
    private long _nackCount;
    private long _pliCount;
    private long _firCountReceived;
    private long _retransmissionsDropped;
    private long _retransmissionsUnavailable;
    private long _paddingPacketsSent;

    private long _reportsReceived;
    private byte _remoteFractionLost;
    private int _remotePacketsLost;
    private uint _remoteJitter;
    private TimeSpan? _roundTripTime;
    private TimeSpan _totalRoundTripTime;
    private long _roundTripTimeMeasurements;

    private bool _keyframeRequested;
    private KeyframeRequest _keyframeRequest;

    /// <summary>Initializes a stream from what JSEP negotiated.</summary>
    public RtpSendStream(RtpSendStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ClockRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxPendingRetransmissions);
        Ssrc = options.Ssrc;
        _clockRate = options.ClockRate;
        _rtxSsrc = options.RtxSsrc;
        if (_rtxSsrc == options.Ssrc)
        {
            throw new ArgumentException("RFC 4588 §4: SSRC-multiplexed RTX needs an SSRC of its own.", nameof(options));
        }

        Array.Fill(_rtxPayloadTypeFor, (short)-1);
        if (options.RtxPayloadTypes is { } map)
        {
            foreach (KeyValuePair<byte, byte> pair in map)
            {
                ArgumentOutOfRangeException.ThrowIfGreaterThan(pair.Key, (byte)127, nameof(options.RtxPayloadTypes));
                ArgumentOutOfRangeException.ThrowIfGreaterThan(pair.Value, (byte)127, nameof(options.RtxPayloadTypes));
                _rtxPayloadTypeFor[pair.Key] = pair.Value;
            }
        }

        _historySize = options.HistorySize;
        _historyBytes = options.HistoryBytes > 0 ? options.HistoryBytes : checked(options.HistorySize * 1200);
        if (options.KeepHistory)
        {
            EnableHistory();
        }
        _maxRetransmitAge = options.MaxRetransmitAge;
        _budget = new RetransmissionBudget(options.RetransmissionFraction);
        _sharedBudget = options.SharedRetransmissionBudget;
        _wallClockAtZero = options.WallClockAtZero;
        _wallClock = options.WallClock ?? TimeProvider.System;
        _pending = new ushort[options.MaxPendingRetransmissions];
        _nextSequenceNumber = options.InitialSequenceNumber ?? RandomUInt16(options.Random);
        _nextRtxSequenceNumber = options.InitialRtxSequenceNumber ?? RandomUInt16(options.Random);
    }

    /// <summary>Gets the stream's SSRC.</summary>
    public uint Ssrc { get; }

    /// <summary>
    /// Gets a value indicating whether sent packets are kept for retransmission (see
    /// <see cref="RtpSendStreamOptions.KeepHistory"/>). Without a history every retransmission request is counted as
    /// unavailable.
    /// </summary>
    public bool KeepsHistory => _history is not null;

    /// <summary>
    /// Starts keeping sent packets for retransmission, when a renegotiation adds NACK or RTX to a stream that had
    /// neither; packets sent before are not available. Does nothing when the history is kept already.
    /// </summary>
    public void EnableHistory() => _history ??= new PacketHistory(_historySize, _historyBytes);

    /// <summary>Gets the RTX SSRC, or null when RTX is not negotiated.</summary>
    public uint? RtxSsrc => _rtxSsrc;

    /// <summary>Gets the sequence number the next media packet gets.</summary>
    public ushort NextSequenceNumber => _nextSequenceNumber;

    /// <summary>Gets the sequence number the next RTX packet gets (RFC 4588 §4: the RTX stream's own numbering).</summary>
    public ushort NextRtxSequenceNumber => _nextRtxSequenceNumber;

    /// <summary>Gets whether media was sent: an SR rather than an RR describes this stream (RFC 3550 §6.4).</summary>
    public bool HasSentMedia => _sentMedia;

    /// <summary>Gets the latest RTT from a report block's LSR/DLSR (RFC 3550 §6.4.1), or null before one.</summary>
    public TimeSpan? RoundTripTime => _roundTripTime;

    /// <summary>Reads the bytes of first transmissions and of retransmissions this stream sent in the last second.</summary>
    internal void ReadLastSecond(TimeSpan now, out long media, out long retransmitted) => _budget.ReadWindow(now, out media, out retransmitted);

    /// <summary>Caps this stream's retransmissions at <paramref name="bitsPerSecond"/> over the last second (0: no cap but the media fraction).</summary>
    internal void SetRetransmissionRateCap(long bitsPerSecond) => _budget.RateCapBps = bitsPerSecond;

    /// <summary>Gets how many retransmission requests are queued for <see cref="TryPollRetransmission"/>.</summary>
    public int PendingRetransmissions => _pendingCount;

    /// <summary>Gets whether a key frame request waits in <see cref="TryTakeKeyframeRequest"/>.</summary>
    public bool KeyframeRequested => _keyframeRequested;

    /// <summary>
    /// Writes one media packet: fixed header with this stream's SSRC and next sequence number, <paramref name="csrcs"/>,
    /// then the payload (RFC 3550 §5.1), and records it for retransmission and the statistics.
    /// </summary>
    /// <returns>False, with nothing recorded, when <paramref name="destination"/> is too small.</returns>
    public bool TryWritePacket(Span<byte> destination, byte payloadType, uint timestamp, bool marker, ReadOnlySpan<byte> payload, TimeSpan now, out int written, ReadOnlySpan<uint> csrcs = default)
    {
        written = RtpPacketWriter.Write(destination, new RtpHeader(payloadType, _nextSequenceNumber, timestamp, Ssrc, marker), payload, csrcs);
        if (written == 0)
        {
            return false;
        }

        Record(destination[..written], _nextSequenceNumber, payloadType, timestamp, payload.Length, now, advance: true);
        return true;
    }

    /// <summary>
    /// Takes a packet the caller wrote (for example with <see cref="RtpPacketWriter"/> and header extensions): sets its
    /// SSRC and sequence number to this stream's, in place, and records it for retransmission and the statistics.
    /// </summary>
    /// <returns>False, with nothing changed, when <paramref name="packet"/> is not a valid RTP packet.</returns>
    public bool Prepare(Span<byte> packet, TimeSpan now) => Stamp(packet, _nextSequenceNumber, numberedElsewhere: false, now);

    /// <summary>
    /// Takes a packet numbered elsewhere (a forwarder's output, see <c>WebRtcSession.SendRtp</c>): sets its SSRC to this
    /// stream's and its sequence number to <paramref name="sequenceNumber"/>, in place, and records it for retransmission
    /// under that number. The stream's next sequence number moves past it when it is newer than every packet before
    /// (a packet older than that, a late one, is recorded without moving it), so the gaps and order of the caller's
    /// numbering stay as they are.
    /// </summary>
    /// <returns>False, with nothing changed, when <paramref name="packet"/> is not a valid RTP packet.</returns>
    public bool PrepareNumbered(Span<byte> packet, ushort sequenceNumber, TimeSpan now) => Stamp(packet, sequenceNumber, numberedElsewhere: true, now);

    /// <summary>
    /// Sets the packet's SSRC and sequence number in place and records it; the stream's own numbering always advances,
    /// a number given from elsewhere only when it is newer than every packet before.
    /// </summary>
    private bool Stamp(Span<byte> packet, ushort sequenceNumber, bool numberedElsewhere, TimeSpan now)
    {
        if (!RtpPacket.TryParse(packet, out RtpPacket parsed))
        {
            return false;
        }

        byte payloadType = parsed.PayloadType;
        uint timestamp = parsed.Timestamp;
        int payloadLength = parsed.Payload.Length;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(packet[8..], Ssrc);
        bool advance = !numberedElsewhere || !_sentMedia || (ushort)(sequenceNumber - _nextSequenceNumber) < 0x8000;
        Record(packet, sequenceNumber, payloadType, timestamp, payloadLength, now, advance);
        return true;
    }

    /// <summary>
    /// Takes a generic NACK (RFC 4585 §6.2.1) about this stream: every sequence number its PID/BLP pairs name is queued
    /// for <see cref="TryPollRetransmission"/>. NACKs about another SSRC are ignored.
    /// </summary>
    /// <returns>Whether the NACK was about this stream.</returns>
    public bool HandleNack(in RtcpGenericNack nack, TimeSpan now)
    {
        if (nack.MediaSsrc != Ssrc)
        {
            return false;
        }

        _nackCount++;
        foreach (ushort sequenceNumber in nack)
        {
            Enqueue(sequenceNumber);
        }

        return true;
    }

    /// <summary>Queues retransmissions of <paramref name="lost"/> as a NACK naming them would (RFC 4585 §6.2.1).</summary>
    public void HandleNack(ReadOnlySpan<ushort> lost, TimeSpan now)
    {
        _nackCount++;
        foreach (ushort sequenceNumber in lost)
        {
            Enqueue(sequenceNumber);
        }
    }

    /// <summary>
    /// Writes the next queued retransmission into <paramref name="destination"/>: wrapped as RTX (RFC 4588 §4) on the RTX
    /// SSRC when negotiated for the packet's payload type, the original packet otherwise. Requests for packets no longer
    /// in the history, older than rtx-time, resent less than half an RTT ago (RFC 4585 §3.5.1's spirit: one repair per
    /// round trip), or over the retransmission budget are skipped and counted.
    /// </summary>
    /// <returns>False when nothing (more) is due.</returns>
    public bool TryPollRetransmission(Span<byte> destination, TimeSpan now, out int written)
    {
        written = 0;
        ReadOnlySpan<byte> original = default;
        TimeSpan minInterval = TimeSpan.FromTicks((_roundTripTime ?? TimeSpan.FromMilliseconds(20)).Ticks / 2);
        while (_pendingCount > 0)
        {
            ushort sequenceNumber = _pending[_pendingHead];
            _pendingHead = (_pendingHead + 1) % _pending.Length;
            _pendingCount--;
            PacketHistory.Lookup found = _history is null
                ? PacketHistory.Lookup.Missing
                : _history.TryTakeForResend(sequenceNumber, now, minInterval, _maxRetransmitAge, out original);
            if (found == PacketHistory.Lookup.TooSoon)
            {
                continue;
            }

            if (found != PacketHistory.Lookup.Found)
            {
                _retransmissionsUnavailable++;
                continue;
            }

            // Parsed when stored: a valid packet.
            RtpPacket.TryParse(original, out RtpPacket packet);
            int payloadLength = packet.Payload.Length;
            short rtxPayloadType = _rtxSsrc is null ? (short)-1 : _rtxPayloadTypeFor[packet.PayloadType];
            int length = rtxPayloadType >= 0 ? packet.HeaderLength + RtxPacket.OsnLength + payloadLength : original.Length;
            if (length > destination.Length)
            {
                _history!.ClearResent(sequenceNumber);
                throw new ArgumentException("The destination is smaller than the retransmission.", nameof(destination));
            }

            if (!_budget.TryTake(length, now))
            {
                _history!.ClearResent(sequenceNumber);
                _retransmissionsDropped++;
                continue;
            }

            if (_sharedBudget is not null && !_sharedBudget.TryTake(length, now))
            {
                _budget.Return(length, now);
                _history!.ClearResent(sequenceNumber);
                _retransmissionsDropped++;
                continue;
            }

            if (rtxPayloadType >= 0)
            {
                RtxPacket.TryWrap(original, _rtxSsrc!.Value, (byte)rtxPayloadType, _nextRtxSequenceNumber, destination, out written);
                _nextRtxSequenceNumber++;
            }
            else
            {
                original.CopyTo(destination);
                written = original.Length;
                _senderPacketCount++;
                _senderOctetCount += (uint)payloadLength;
            }

            _packetsSent++;
            _bytesSent += payloadLength;
            _headerBytesSent += written - payloadLength;
            _retransmittedPacketsSent++;
            _retransmittedBytesSent += payloadLength;
            return true;
        }

        return false;
    }

    /// <summary>
    /// Writes a padding-only packet for bandwidth probing: on the RTX SSRC with an empty payload (what RFC 4588 senders
    /// send to probe: no OSN, so receivers tell it from a retransmission) when RTX is negotiated, otherwise on this
    /// stream with the next sequence number and the last timestamp. The padding is <paramref name="paddingLength"/>
    /// bytes, the last of them the count (RFC 3550 §5.1, 1-255).
    /// </summary>
    /// <returns>False when no media was sent yet (no payload type or timestamp to use) or the destination is too small.</returns>
    public bool TryWritePadding(Span<byte> destination, int paddingLength, TimeSpan now, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(paddingLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(paddingLength, 255);
        written = 0;
        if (!_sentMedia)
        {
            return false;
        }

        short rtxPayloadType = _rtxSsrc is null ? (short)-1 : _rtxPayloadTypeFor[_lastPayloadType];
        bool onRtx = rtxPayloadType >= 0;
        RtpHeader header = onRtx
            ? new RtpHeader((byte)rtxPayloadType, _nextRtxSequenceNumber, _lastTimestamp, _rtxSsrc!.Value)
            : new RtpHeader(_lastPayloadType, _nextSequenceNumber, _lastTimestamp, Ssrc);
        var writer = new RtpPacketWriter(destination);
        if (!writer.TryWriteHeader(header) || !writer.TryWritePadding(paddingLength))
        {
            return false;
        }

        written = writer.Length;
        if (onRtx)
        {
            _nextRtxSequenceNumber++;
        }
        else
        {
            _nextSequenceNumber++;
            _senderPacketCount++;
        }

        _packetsSent++;
        _headerBytesSent += written;
        _paddingPacketsSent++;
        return true;
    }

    /// <summary>
    /// Returns the NTP time of <paramref name="now"/> (RFC 3550 §4): <see cref="RtpSendStreamOptions.WallClockAtZero"/> plus
    /// <paramref name="now"/>, or, without it, the options' wall clock as read at the first call plus the time since.
    /// </summary>
    public NtpTimestamp NtpAt(TimeSpan now)
    {
        // Without a mapping given, the wall clock is read once, here, and pinned to this instant.
        _wallClockAtZero ??= _wallClock.GetUtcNow() - now;
        return NtpTimestamp.FromDateTime((_wallClockAtZero.Value + now).UtcDateTime);
    }

    /// <summary>
    /// Returns the RTP timestamp that corresponds to <paramref name="now"/>: the last media timestamp advanced by the
    /// clock rate over the time since it was sent (RFC 3550 §6.4.1: "the same time as the NTP timestamp").
    /// </summary>
    public uint RtpTimestampAt(TimeSpan now) =>
        unchecked(_lastTimestamp + (uint)(long)Math.Round((now - _lastTimestampAt).Ticks * (double)_clockRate / TimeSpan.TicksPerSecond));

    /// <summary>
    /// Returns the sender info of an SR for this stream at <paramref name="now"/> (RFC 3550 §6.4.1): NTP and RTP
    /// timestamps of one instant, and the packet and payload octet counts sent on this SSRC (RTX packets are on theirs).
    /// </summary>
    public RtcpSenderInfo CreateSenderInfo(TimeSpan now) => new(NtpAt(now), RtpTimestampAt(now), _senderPacketCount, _senderOctetCount);

    /// <summary>
    /// Takes a report block (RFC 3550 §6.4.1) received at <paramref name="now"/>. A block about this stream updates
    /// the remote-inbound statistics, and its LSR/DLSR give the RTT: arrival − LSR − DLSR in compact NTP.
    /// </summary>
    /// <returns>Whether the block was about this stream.</returns>
    public bool HandleReportBlock(in RtcpReportBlock block, TimeSpan now)
    {
        if (block.Ssrc != Ssrc)
        {
            return false;
        }

        _reportsReceived++;
        _remoteFractionLost = block.FractionLost;
        _remotePacketsLost = block.CumulativeLost;
        _remoteJitter = block.Jitter;
        if (Rtp.RoundTripTime.TryCompute(NtpAt(now).ToCompact(), block.LastSenderReport, block.DelaySinceLastSenderReport, out TimeSpan rtt))
        {
            _roundTripTime = rtt;
            _totalRoundTripTime += rtt;
            _roundTripTimeMeasurements++;
        }

        return true;
    }

    /// <summary>Takes a PLI (RFC 4585 §6.3.1); one about this stream raises a key frame request.</summary>
    /// <returns>Whether it was about this stream.</returns>
    public bool HandlePictureLossIndication(in RtcpPictureLossIndication pli, TimeSpan now) =>
        HandlePictureLossIndication(pli.SenderSsrc, pli.MediaSsrc, now);

    /// <summary>Takes a PLI from <paramref name="senderSsrc"/> about <paramref name="mediaSsrc"/> (RFC 4585 §6.3.1).</summary>
    /// <returns>Whether it was about this stream.</returns>
    public bool HandlePictureLossIndication(uint senderSsrc, uint mediaSsrc, TimeSpan now)
    {
        if (mediaSsrc != Ssrc)
        {
            return false;
        }

        _pliCount++;
        RequestKeyframe(KeyframeRequestKind.Pli, senderSsrc, now);
        return true;
    }

    /// <summary>
    /// Takes a FIR (RFC 5104 §4.3.1): an entry naming this stream raises a key frame request, unless it repeats the
    /// sequence number of the last request from the same sender (§4.3.1.2: a repetition, not a new request).
    /// </summary>
    /// <returns>Whether a new request for this stream was in it.</returns>
    public bool HandleFullIntraRequest(in RtcpFullIntraRequest fir, TimeSpan now)
    {
        bool any = false;
        for (int i = 0; i < fir.EntryCount; i++)
        {
            RtcpFirEntry entry = fir.GetEntry(i);
            if (entry.Ssrc == Ssrc)
            {
                any |= HandleFullIntraRequest(fir.SenderSsrc, entry.SequenceNumber, now);
            }
        }

        return any;
    }

    /// <summary>Takes one FIR entry for this stream from <paramref name="senderSsrc"/> with FIR sequence number <paramref name="sequenceNumber"/> (RFC 5104 §4.3.1.1).</summary>
    /// <returns>False when it repeats the previous request from that sender.</returns>
    public bool HandleFullIntraRequest(uint senderSsrc, byte sequenceNumber, TimeSpan now)
    {
        for (int i = 0; i < _firCount; i++)
        {
            if (_firSsrcs[i] == senderSsrc)
            {
                if (_firSequence[i] == sequenceNumber)
                {
                    return false;
                }

                _firSequence[i] = sequenceNumber;
                AcceptFir(senderSsrc, now);
                return true;
            }
        }

        // A new requester; the oldest is forgotten when the table is full.
        int slot = _firCount < FirRequesters ? _firCount++ : _firNext;
        _firNext = (slot + 1) % FirRequesters;
        _firSsrcs[slot] = senderSsrc;
        _firSequence[slot] = sequenceNumber;
        AcceptFir(senderSsrc, now);
        return true;
    }

    /// <summary>Takes the pending key frame request (several received before it was taken count as one).</summary>
    public bool TryTakeKeyframeRequest(out KeyframeRequest request)
    {
        request = _keyframeRequest;
        if (!_keyframeRequested)
        {
            return false;
        }

        _keyframeRequested = false;
        return true;
    }

    /// <summary>Returns the counters as a W3C-style "outbound-rtp" snapshot.</summary>
    public SendStreamStats GetStats() => new(
        Ssrc,
        _rtxSsrc,
        _packetsSent,
        _bytesSent,
        _headerBytesSent,
        _retransmittedPacketsSent,
        _retransmittedBytesSent,
        _nackCount,
        _pliCount,
        _firCountReceived,
        _retransmissionsDropped,
        _retransmissionsUnavailable,
        _paddingPacketsSent);

    /// <summary>Returns what the remote receiver reported about this stream ("remote-inbound-rtp").</summary>
    public RemoteInboundStats GetRemoteInboundStats() => new(
        Ssrc,
        _reportsReceived,
        _remoteFractionLost / 256.0,
        _remotePacketsLost,
        _remoteJitter / (double)_clockRate,
        _roundTripTime,
        _totalRoundTripTime,
        _roundTripTimeMeasurements);

    private static ushort RandomUInt16(Random? random) =>
        random is null ? (ushort)RandomNumberGenerator.GetInt32(0, 65536) : (ushort)random.Next(0, 65536);

    private void AcceptFir(uint senderSsrc, TimeSpan now)
    {
        _firCountReceived++;
        RequestKeyframe(KeyframeRequestKind.Fir, senderSsrc, now);
    }

    private void RequestKeyframe(KeyframeRequestKind kind, uint senderSsrc, TimeSpan now)
    {
        if (!_keyframeRequested)
        {
            _keyframeRequested = true;
            _keyframeRequest = new KeyframeRequest(kind, senderSsrc, now);
        }
    }

    private void Record(ReadOnlySpan<byte> packet, ushort sequenceNumber, byte payloadType, uint timestamp, int payloadLength, TimeSpan now, bool advance)
    {
        _history?.Store(sequenceNumber, packet, now);
        if (advance)
        {
            // A late packet (an older sequence number) leaves the numbering, and the SR's timestamp mapping, where they are.
            _nextSequenceNumber = (ushort)(sequenceNumber + 1);
            _lastTimestamp = timestamp;
            _lastTimestampAt = now;
            _lastPayloadType = payloadType;
        }

        _sentMedia = true;
        _packetsSent++;
        _bytesSent += payloadLength;
        _headerBytesSent += packet.Length - payloadLength;
        _senderPacketCount++;
        _senderOctetCount += (uint)payloadLength;
        _budget.OnMediaSent(packet.Length, now);
        _sharedBudget?.OnMediaSent(packet.Length, now);
    }

    private void Enqueue(ushort sequenceNumber)
    {
        // A request already queued is not queued twice.
        for (int i = 0; i < _pendingCount; i++)
        {
            if (_pending[(_pendingHead + i) % _pending.Length] == sequenceNumber)
            {
                return;
            }
        }

        if (_pendingCount == _pending.Length)
        {
            _pendingHead = (_pendingHead + 1) % _pending.Length;
            _pendingCount--;
            _retransmissionsDropped++;
        }

        _pending[(_pendingHead + _pendingCount) % _pending.Length] = sequenceNumber;
        _pendingCount++;
    }
}
