using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;

namespace RtcStack.WebRtc.Streams;

/// <summary>
/// One incoming RTP stream (one remote SSRC) and what RFC 3550, 4585, 4588 and 5104 attach to it: sequence
/// validation and unwrapping (RFC 3550 A.1), loss (A.3) and jitter (A.8), the report block about it with LSR/DLSR
/// from its sender reports (§6.4.1), the NACK requester (RFC 4585 §6.2.1) with its retry timer and try limit, the RTX
/// repair path (RFC 4588 §4: unwrap by <c>apt</c> back to this SSRC and the original sequence number), and the key frame
/// requester (PLI, RFC 4585 §6.3.1, or FIR with its own sequence number, RFC 5104 §4.3.1), rate limited.
/// </summary>
/// <remarks>
/// Sans-IO: arrival times are inputs, and feedback is written into the caller's buffer when due
/// (<see cref="PollTimeout"/> says when and why). Retransmissions received as RTX are counted as retransmissions and
/// stop the NACKs for their sequence number, but do not enter the RFC 3550 statistics of this SSRC: the report block
/// tells the sender what the network lost, as libwebrtc's does. Steady state allocates nothing.
/// </remarks>
public sealed class RtpReceiveStream
{
    private readonly RtpReceiverStatistics _statistics;
    private readonly NackRequester? _nack;
    private readonly short[] _aptFor = new short[128];
    private readonly uint? _rtxSsrc;
    private readonly uint _localSsrc;
    private readonly KeyframeRequestKind? _keyframeKind;
    private readonly TimeSpan _keyframeMinInterval;
    private readonly TimeSpan _defaultRtt;

    private long _packetsReceived;
    private long _bytesReceived;
    private long _headerBytesReceived;
    private long _nackCount;
    private long _pliCount;
    private long _firCount;
    private long _retransmittedPacketsReceived;
    private long _retransmittedBytesReceived;
    private long _rtxPaddingPacketsReceived;
    private TimeSpan? _lastPacketReceived;

    private bool _keyframePending;
    private TimeSpan _keyframeLastSent = TimeSpan.MinValue;
    private byte _firSequenceNumber;

    /// <summary>Initializes a stream from what JSEP negotiated.</summary>
    public RtpReceiveStream(RtpReceiveStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Ssrc = options.Ssrc;
        _localSsrc = options.LocalSsrc;
        _rtxSsrc = options.RtxSsrc;

        // Probation off (minimum 1): SRTP authenticated the source. With NACK, late retransmissions on the same SSRC are
        // not a restart: the misorder limit rises to the NACK age (as the first release's session did).
        _statistics = options.Nack
            ? new RtpReceiverStatistics(options.Ssrc, options.ClockRate, minSequential: 1, maxMisorder: Math.Max(RtpReceiverStatistics.DefaultMaxMisorder, options.NackMaxAge))
            : new RtpReceiverStatistics(options.Ssrc, options.ClockRate, minSequential: 1);
        _nack = options.Nack ? new NackRequester(options.NackCapacity, options.NackMaxTries, options.NackMaxAge) : null;
        Array.Fill(_aptFor, (short)-1);
        if (options.RtxAssociatedPayloadTypes is { } map)
        {
            foreach (KeyValuePair<byte, byte> pair in map)
            {
                ArgumentOutOfRangeException.ThrowIfGreaterThan(pair.Key, (byte)127, nameof(options.RtxAssociatedPayloadTypes));
                ArgumentOutOfRangeException.ThrowIfGreaterThan(pair.Value, (byte)127, nameof(options.RtxAssociatedPayloadTypes));
                _aptFor[pair.Key] = pair.Value;
            }
        }

        _keyframeKind = options.KeyframeRequests;
        _keyframeMinInterval = options.KeyframeRequestMinInterval;
        _defaultRtt = options.DefaultRoundTripTime;
    }

    /// <summary>Gets the remote stream's SSRC.</summary>
    public uint Ssrc { get; }

    /// <summary>Gets the remote RTX SSRC, or null.</summary>
    public uint? RtxSsrc => _rtxSsrc;

    /// <summary>Gets or sets the RTT the session measured (from our SR's report blocks or XR DLRR): it paces NACK retries and key frame requests.</summary>
    public TimeSpan? RoundTripTime { get; set; }

    /// <summary>Gets the RFC 3550 statistics of the packets received on this SSRC.</summary>
    public RtpReceiverStatistics Statistics => _statistics;

    /// <summary>Gets how many missing sequence numbers the NACK requester is tracking.</summary>
    public int PendingNacks => _nack?.Pending ?? 0;

    /// <summary>Gets whether a key frame request waits to be written.</summary>
    public bool KeyframeRequestPending => _keyframePending;

    /// <summary>Gets the number of sender reports received from this source (remote-outbound-rtp reportsReceived).</summary>
    public long SenderReportsReceived { get; private set; }

    /// <summary>Gets the last SR's sender info (remote-outbound-rtp packetsSent, bytesSent, remoteTimestamp).</summary>
    public RtcpSenderInfo LastSenderInfo { get; private set; }

    private TimeSpan RetryInterval => TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(20).Ticks, (RoundTripTime ?? _defaultRtt).Ticks + TimeSpan.FromMilliseconds(5).Ticks));

    private TimeSpan KeyframeInterval => RoundTripTime is TimeSpan rtt && rtt > _keyframeMinInterval ? rtt : _keyframeMinInterval;

    /// <summary>
    /// Takes a packet received on this stream's SSRC at <paramref name="now"/>: RFC 3550 A.1-A.8 statistics, gaps to the
    /// NACK requester, late arrivals off it.
    /// </summary>
    public ReceiveStatus HandleRtp(ReadOnlySpan<byte> packet, TimeSpan now)
    {
        if (!RtpPacket.TryParse(packet, out RtpPacket rtp))
        {
            return ReceiveStatus.Malformed;
        }

        if (rtp.Ssrc != Ssrc)
        {
            return ReceiveStatus.WrongSsrc;
        }

        bool wasValid = _statistics.IsValid;
        long highestBefore = _statistics.ExtendedHighestSequenceNumber;
        long duplicatesBefore = _statistics.Duplicates;
        if (!_statistics.ReceivePacket(rtp.SequenceNumber, rtp.Timestamp, now))
        {
            return ReceiveStatus.NotValidYet;
        }

        int payloadLength = rtp.Payload.Length;
        _packetsReceived++;
        _bytesReceived += payloadLength;
        _headerBytesReceived += packet.Length - payloadLength;
        _lastPacketReceived = now;
        long highest = _statistics.ExtendedHighestSequenceNumber;
        if (_nack is not null)
        {
            if (wasValid && highest > highestBefore + 1)
            {
                _nack.OnGap(highest, highest - highestBefore - 1);
            }
            else if (wasValid && highest == highestBefore)
            {
                _nack.OnLatePacket(Extend(rtp.SequenceNumber));
            }
        }

        if (_statistics.Duplicates != duplicatesBefore)
        {
            return ReceiveStatus.Duplicate;
        }

        return payloadLength == 0 && rtp.HasPadding ? ReceiveStatus.PaddingOnly : ReceiveStatus.Accepted;
    }

    /// <summary>
    /// Takes a packet received on the RTX SSRC (RFC 4588 §4): unwraps it into <paramref name="repaired"/> as the original
    /// packet (this SSRC, the <c>apt</c> payload type, the OSN as sequence number), counts it as a retransmission and stops
    /// NACKing its sequence number. A payload-less RTX packet is padding for probing.
    /// </summary>
    public ReceiveStatus HandleRtx(ReadOnlySpan<byte> packet, Span<byte> repaired, TimeSpan now, out int written)
    {
        written = 0;
        if (!RtpPacket.TryParse(packet, out RtpPacket rtp))
        {
            return ReceiveStatus.Malformed;
        }

        if (_rtxSsrc is not uint rtxSsrc || rtp.Ssrc != rtxSsrc)
        {
            return ReceiveStatus.WrongSsrc;
        }

        if (rtp.Payload.IsEmpty)
        {
            _rtxPaddingPacketsReceived++;
            _lastPacketReceived = now;
            return ReceiveStatus.PaddingOnly;
        }

        short apt = _aptFor[rtp.PayloadType];
        if (apt < 0)
        {
            return ReceiveStatus.UnknownPayloadType;
        }

        RtxStatus status = RtxPacket.TryUnwrap(packet, Ssrc, (byte)apt, repaired, out written);
        if (status == RtxStatus.DestinationTooSmall)
        {
            throw new ArgumentException("The destination is smaller than the repaired packet.", nameof(repaired));
        }

        if (status != RtxStatus.Ok)
        {
            return ReceiveStatus.Malformed;
        }

        RtpPacket.TryParse(repaired[..written], out RtpPacket original);
        int payloadLength = original.Payload.Length;
        _packetsReceived++;
        _bytesReceived += payloadLength;
        _headerBytesReceived += packet.Length - payloadLength;
        _retransmittedPacketsReceived++;
        _retransmittedBytesReceived += payloadLength;
        _lastPacketReceived = now;
        if (_statistics.IsValid)
        {
            _nack?.OnLatePacket(Extend(original.SequenceNumber));
        }

        return ReceiveStatus.Repaired;
    }

    /// <summary>Takes the sender info of an SR from this source, received at <paramref name="now"/>: LSR/DLSR of the next report block (RFC 3550 §6.4.1).</summary>
    public void HandleSenderReport(in RtcpSenderInfo info, TimeSpan now)
    {
        _statistics.OnSenderReport(info.NtpTimestamp, now);
        SenderReportsReceived++;
        LastSenderInfo = info;
    }

    /// <summary>
    /// Returns the report block about this stream at <paramref name="now"/> (RFC 3550 §6.4.1, A.3: fraction lost since the
    /// previous block, cumulative lost, extended highest sequence number, jitter, LSR and DLSR) and starts a new interval.
    /// </summary>
    public RtcpReportBlock CreateReportBlock(TimeSpan now) => _statistics.CreateReportBlock(now);

    /// <summary>Asks for a key frame (the frame buffer cannot go on, or the application wants one); written by <see cref="TryWriteKeyframeRequest"/> within the rate limit.</summary>
    /// <returns>False when key frame requests were not negotiated.</returns>
    public bool RequestKeyframe()
    {
        if (_keyframeKind is null)
        {
            return false;
        }

        _keyframePending = true;
        return true;
    }

    /// <summary>
    /// Writes the pending key frame request, if the last one was at least the rate limit ago (the longer of the
    /// configured interval and the RTT): a PLI (RFC 4585 §6.3.1) or a FIR (RFC 5104 §4.3.1) whose sequence number goes up
    /// by one for each new request (§4.3.1.1).
    /// </summary>
    /// <returns>False when nothing is due or <paramref name="destination"/> is too small.</returns>
    public bool TryWriteKeyframeRequest(Span<byte> destination, TimeSpan now, out int written)
    {
        written = 0;
        if (!_keyframePending || (_keyframeLastSent != TimeSpan.MinValue && now - _keyframeLastSent < KeyframeInterval))
        {
            return false;
        }

        if (_keyframeKind == KeyframeRequestKind.Fir)
        {
            ReadOnlySpan<RtcpFirEntry> entry = [new RtcpFirEntry(Ssrc, _firSequenceNumber)];
            if (!RtcpFullIntraRequest.TryWrite(destination, _localSsrc, entry, out written))
            {
                return false;
            }

            _firSequenceNumber++;
            _firCount++;
        }
        else
        {
            if (!RtcpPictureLossIndication.TryWrite(destination, _localSsrc, Ssrc, out written))
            {
                return false;
            }

            _pliCount++;
        }

        _keyframePending = false;
        _keyframeLastSent = now;
        return true;
    }

    /// <summary>
    /// Writes a generic NACK (RFC 4585 §6.2.1) for the sequence numbers due at <paramref name="now"/>: newly missing
    /// ones, and those asked for a retry interval (RTT + 5 ms, at least 20 ms) ago and still missing, each at most the
    /// configured number of times.
    /// </summary>
    /// <returns>False when nothing is due or <paramref name="destination"/> is too small.</returns>
    public bool TryWriteNack(Span<byte> destination, TimeSpan now, out int written)
    {
        written = 0;
        if (_nack is not { Pending: > 0 } nack || nack.NextDue(RetryInterval) > now)
        {
            return false;
        }

        Span<ushort> due = stackalloc ushort[Math.Min(nack.Capacity, 512)];
        int n = nack.CollectDue(now, RetryInterval, due);
        if (n == 0 || !RtcpGenericNack.TryWrite(destination, _localSsrc, Ssrc, due[..n], out written))
        {
            written = 0;
            return false;
        }

        _nackCount++;
        return true;
    }

    /// <summary>The next instant feedback is due and why: a NACK (first or retry), or a key frame request waiting for its rate limit.</summary>
    public StreamTimeout? PollTimeout()
    {
        StreamTimeout? next = null;
        if (_nack is { Pending: > 0 } nack && nack.NextDue(RetryInterval) is TimeSpan due)
        {
            next = new StreamTimeout(due, StreamTimeoutReason.NackRetry);
        }

        if (_keyframePending)
        {
            TimeSpan at = _keyframeLastSent == TimeSpan.MinValue ? TimeSpan.Zero : _keyframeLastSent + KeyframeInterval;
            next = StreamTimeout.Earliest(next, new StreamTimeout(at, StreamTimeoutReason.KeyframeRequest));
        }

        return next;
    }

    /// <summary>Returns the counters as a W3C-style "inbound-rtp" snapshot, with the frame counters of <paramref name="frames"/> when there is a frame buffer.</summary>
    public ReceiveStreamStats GetStats(VideoFrameBuffer? frames = null) => new(
        Ssrc,
        _packetsReceived,
        _bytesReceived,
        _headerBytesReceived,
        _statistics.CumulativeLost,
        _statistics.Jitter / _statistics.ClockRate,
        _statistics.Duplicates,
        _nackCount,
        _pliCount,
        _firCount,
        _retransmittedPacketsReceived,
        _retransmittedBytesReceived,
        _rtxPaddingPacketsReceived,
        _lastPacketReceived,
        frames?.FramesReleased ?? 0,
        frames?.KeyFramesReleased ?? 0,
        frames?.FramesDropped ?? 0);

    // The extended sequence number nearest the highest received.
    private long Extend(ushort sequenceNumber)
    {
        long highest = _statistics.ExtendedHighestSequenceNumber;
        return highest + (short)(ushort)(sequenceNumber - (ushort)highest);
    }
}
