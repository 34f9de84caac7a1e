using System.Buffers;
using System.Buffers.Binary;
using RtcStack.Sctp.Packets;

namespace RtcStack.Sctp;

/// <summary>
/// One SCTP association (RFC 9260) as a sans-IO state machine, for WebRTC data channels over DTLS
/// (RFC 8261): feed it received packets with <see cref="HandleDatagram"/> and timer expiries with
/// <see cref="HandleTimeout"/>; drain <see cref="TryPollTransmit"/> (packets to send),
/// <see cref="TryPollEvent"/> and <see cref="PollTimeout"/> after every input. Time is an input.
/// Partial reliability (RFC 3758) and stream reset (RFC 6525) are always offered; message interleaving
/// (RFC 8260 I-DATA, I-FORWARD-TSN) when <see cref="SctpAssociationOptions.EnableMessageInterleaving"/> is set.
/// </summary>
public sealed partial class SctpAssociation
{
    private readonly SctpAssociationOptions _options;
    private readonly Random _random;
    private readonly byte[] _cookieKey = new byte[32];
    // Spare packet buffers kept for reuse: at least this many, more while the congestion window lets a burst of
    // packets queue up at once (see ReturnPacketBuffer), never more than the hard limit.
    private const int MinSparePackets = 64;
    private const int MaxSparePackets = 2048;

    private readonly Queue<(byte[] Buffer, int Length)> _transmit = new();
    private readonly Stack<byte[]> _sparePackets = new();
    private readonly Queue<Delivery> _events = new();
    private readonly Queue<byte[]> _control = new();
    private readonly RetransmissionTimeout _rto;
    private readonly int _bufferSize;
    private int _mtu;
    private readonly uint _localTag;
    private readonly uint _initialTsn;

    private uint _peerTag;
    private bool _terminated;
    private bool _peerSupportsForwardTsn;
    private bool _peerSupportsReconfig;
    private bool _interleaving;
    private bool _sendZeroChecksum;
    private ushort _outboundStreams;
    private ushort _inboundStreams;
    private int _errorCount;

    private TimeSpan? _t1;
    private int _t1Retries;
    private TimeSpan _t1Rto;
    private byte[]? _cookieEcho;
    private TimeSpan? _t2;
    private int _t2Retries;
    private TimeSpan? _heartbeatAt;
    private bool _heartbeatOutstanding;
    private ulong _heartbeatNonce;
    private byte[]? _lentPacket;

    /// <summary>Creates an association; call <see cref="Connect"/> to send INIT, or wait for the peer's INIT.</summary>
    /// <param name="options">Settings; defaults when null.</param>
    public SctpAssociation(SctpAssociationOptions? options = null)
    {
        _options = options ?? new SctpAssociationOptions();
        if (_options.MaxPacketSize < 64 || _options.MaxPacketSize > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxPacketSize must be 64 to 65535");
        }

        if (_options.ReceiveBufferSize < _options.MaxMessageSize || _options.MaxMessageSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "ReceiveBufferSize must be at least MaxMessageSize");
        }

        if (_options.MaxBurst < 0 || _options.MaxBurst > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxBurst must be 0 (off) to 65535 packets");
        }

        _scheduler = new StreamScheduler(_options.StreamScheduler);
        _random = _options.Random ?? new Random();
        _random.NextBytes(_cookieKey);
        _mtu = _options.MaxPacketSize;
        if (_options.EnablePathMtuDiscovery)
        {
            InitPathMtuDiscovery();
        }

        _bufferSize = _options.EnablePathMtuDiscovery ? Math.Max(_mtu, _maxPmtu) : _mtu;

        _rto = new RetransmissionTimeout(_options.RtoInitial, _options.RtoMin, _options.RtoMax);
        _t1Rto = _rto.Rto;
        do
        {
            _localTag = (uint)_random.NextInt64(1, uint.MaxValue);
        }
        while (_localTag == 0);
        _initialTsn = (uint)_random.NextInt64(0, (long)uint.MaxValue + 1);
        _nextTsn = _initialTsn;
        _cumAckTsn = (long)_initialTsn - 1;
        _advancedPeerAckPoint = _cumAckTsn;
        _firstUnsentTsn = _initialTsn;
        _nextRequestSequence = _initialTsn;
        _cwnd = Math.Min(4 * _mtu, Math.Max(2 * _mtu, 4380));
        _ssthresh = int.MaxValue;
    }

    /// <summary>Gets the state (RFC 9260 §4).</summary>
    public SctpAssociationState State { get; private set; }

    /// <summary>Gets the counters.</summary>
    public SctpAssociationStatistics Statistics { get; } = new();

    /// <summary>Gets the RTO calculator (RFC 9260 §6.3.1).</summary>
    public RetransmissionTimeout Rto => _rto;

    /// <summary>Gets the congestion window in bytes (RFC 9260 §7.2).</summary>
    public int CongestionWindow => _cwnd;

    /// <summary>Gets the slow-start threshold in bytes (RFC 9260 §7.2).</summary>
    public int SlowStartThreshold => _ssthresh;

    /// <summary>Gets the bytes sent and not yet acknowledged (RFC 9260 §7.2 flightsize).</summary>
    public int FlightSize => _flightSize;

    /// <summary>Gets the number of outbound streams negotiated (min of ours and the peer's inbound).</summary>
    public ushort OutboundStreams => _outboundStreams;

    /// <summary>Gets the number of inbound streams negotiated.</summary>
    public ushort InboundStreams => _inboundStreams;

    /// <summary>Gets whether the peer offered Forward-TSN (RFC 3758 §3.1).</summary>
    public bool PeerSupportsPartialReliability => _peerSupportsForwardTsn;

    /// <summary>
    /// Gets whether user message interleaving is in use (RFC 8260 §2.2.1): both sides listed I-DATA in the Supported
    /// Extensions parameter, so messages travel in I-DATA chunks and abandoned ones are skipped with I-FORWARD-TSN.
    /// False until the association is set up.
    /// </summary>
    public bool MessageInterleaving => _interleaving;

    /// <summary>
    /// Gets what the peer announced in its INIT or INIT ACK: the extensions of its Supported Extensions parameter this
    /// stack knows (RFC 5061 §4.2.7; I-DATA and I-FORWARD-TSN of RFC 8260 §2.2.1 among them), Forward-TSN support and
    /// zero checksum. <see cref="SctpPeerFeatures.None"/> until the association is set up.
    /// </summary>
    public SctpPeerFeatures PeerFeatures { get; private set; }

    /// <summary>
    /// Gets whether packets go out with a zero checksum (RFC 9653): <see cref="SctpAssociationOptions.EnableZeroChecksum"/>
    /// is set and the peer announced SCTP over DTLS (method 1) in its INIT or INIT ACK. Even then packets with INIT or
    /// COOKIE ECHO, and everything sent before the association is established, carry the CRC32c (§5.2). False until set up.
    /// </summary>
    public bool ZeroChecksum => _sendZeroChecksum;

    /// <summary>Gets the options.</summary>
    public SctpAssociationOptions Options => _options;

    /// <summary>Starts the association: sends INIT (RFC 9260 §5.1 A) and arms T1-init.</summary>
    /// <param name="now">The current monotonic time.</param>
    public void Connect(TimeSpan now)
    {
        if (State != SctpAssociationState.Closed || _terminated)
        {
            throw new InvalidOperationException("Connect is only valid on a new association");
        }

        State = SctpAssociationState.CookieWait;
        _t1Retries = 0;
        _t1Rto = _rto.Rto;
        SendInit();
        _t1 = now + _t1Rto;
    }

    /// <summary>
    /// Starts a graceful shutdown (RFC 9260 §9.2): no more messages are accepted, outstanding data is
    /// delivered, then SHUTDOWN / SHUTDOWN ACK / SHUTDOWN COMPLETE close the association.
    /// </summary>
    /// <param name="now">The current monotonic time.</param>
    public void Shutdown(TimeSpan now)
    {
        if (_terminated)
        {
            return;
        }

        if (State is SctpAssociationState.Closed or SctpAssociationState.CookieWait or SctpAssociationState.CookieEchoed)
        {
            Terminate(SctpCloseReason.Shutdown, "shut down before the association was established");
            return;
        }

        if (State == SctpAssociationState.Established)
        {
            State = SctpAssociationState.ShutdownPending;
        }

        CheckShutdownProgress(now);
        Flush(now);
    }

    /// <summary>Aborts the association (RFC 9260 §9.1): sends ABORT with a User-Initiated Abort cause and closes.</summary>
    /// <param name="reason">Upper-layer abort reason carried in the cause.</param>
    /// <param name="now">The current monotonic time.</param>
    public void Abort(string? reason, TimeSpan now)
    {
        _ = now;
        if (_terminated)
        {
            return;
        }

        if (_peerTag != 0)
        {
            SendAbort(SctpErrorCause.UserInitiatedAbort, System.Text.Encoding.UTF8.GetBytes(reason ?? string.Empty));
        }

        Terminate(SctpCloseReason.AbortedLocally, reason);
    }

    /// <summary>
    /// Gets the next packet to send (one DTLS record's payload). The memory is the association's own buffer, reused
    /// for later packets: it stays valid until the next call to <see cref="TryPollTransmit"/>, so send it (or copy it)
    /// before polling again. Reusing the buffers is what keeps the steady path free of allocation. Packets are built
    /// here (RFC 9260 §6.10 bundling): the messages sent and the SACK owed for the packets received since the last poll
    /// share packets up to the PLPMTU, so send several messages, or hand in several received packets, before polling
    /// to have them bundled; nothing is held back waiting for more (no Nagle, RFC 8831 §6.6).
    /// </summary>
    /// <param name="packet">The packet.</param>
    /// <returns>False when there is nothing to send.</returns>
    public bool TryPollTransmit(out ReadOnlyMemory<byte> packet)
    {
        if (_lentPacket is not null)
        {
            ReturnPacketBuffer(_lentPacket);
            _lentPacket = null;
        }

        if (_transmit.Count == 0)
        {
            FlushIfPending();
        }

        if (!_transmit.TryDequeue(out (byte[] Buffer, int Length) next))
        {
            packet = default;
            return false;
        }

        _lentPacket = next.Buffer;
        packet = next.Buffer.AsMemory(0, next.Length);
        return true;
    }

    /// <summary>
    /// Gets the next event. A received message comes out as an <see cref="SctpMessageEvent"/> whose
    /// <see cref="SctpMessageEvent.Data"/> is a new array of the message's exact length: one allocation per message
    /// (plus the event object) that this API cannot avoid. <see cref="TryReadMessage"/> copies a message into the
    /// caller's buffer instead and allocates nothing.
    /// </summary>
    /// <param name="sctpEvent">The event.</param>
    /// <returns>False when there is none.</returns>
    public bool TryPollEvent(out SctpEvent? sctpEvent)
    {
        if (!_events.TryDequeue(out Delivery d))
        {
            sctpEvent = null;
            return false;
        }

        if (d.Event is not null)
        {
            sctpEvent = d.Event;
            return true;
        }

        byte[] data = d.Buffer.AsSpan(0, d.Length).ToArray();
        ArrayPool<byte>.Shared.Return(d.Buffer!);
        sctpEvent = new SctpMessageEvent(d.StreamId, d.Ppid, data, d.Unordered);
        return true;
    }

    /// <summary>Gets the details of the next event when it is a received message (RFC 9260 §10.1 RECEIVE), without taking it.</summary>
    /// <param name="info">The message's stream, PPID, length and ordering.</param>
    /// <returns>False when there is no event or the next one is not a message.</returns>
    public bool TryPeekMessage(out SctpMessageInfo info)
    {
        if (_events.TryPeek(out Delivery d) && d.Event is null)
        {
            info = new SctpMessageInfo(d.StreamId, d.Ppid, d.Length, d.Unordered);
            return true;
        }

        info = default;
        return false;
    }

    /// <summary>
    /// Takes the next event when it is a received message, copying the message into <paramref name="destination"/>:
    /// the allocation-free alternative to <see cref="TryPollEvent"/> for messages. Events stay in order: when this
    /// returns false and <see cref="TryPollEvent"/> has something, that event comes first.
    /// </summary>
    /// <param name="destination">Where the message goes; at least <see cref="SctpMessageInfo.Length"/> bytes (a buffer of
    /// <see cref="SctpAssociationOptions.MaxMessageSize"/> always fits).</param>
    /// <param name="info">The message's stream, PPID, length and ordering.</param>
    /// <returns>False when there is no event or the next one is not a message.</returns>
    /// <exception cref="ArgumentException">The destination is shorter than the message (the message stays queued).</exception>
    public bool TryReadMessage(Span<byte> destination, out SctpMessageInfo info)
    {
        if (!TryPeekMessage(out info))
        {
            return false;
        }

        if (destination.Length < info.Length)
        {
            throw new ArgumentException($"the message is {info.Length} bytes, the destination {destination.Length}", nameof(destination));
        }

        Delivery d = _events.Dequeue();
        d.Buffer.AsSpan(0, d.Length).CopyTo(destination);
        ArrayPool<byte>.Shared.Return(d.Buffer!);
        return true;
    }

    /// <summary>
    /// Gets the earliest instant at which <see cref="HandleTimeout"/> wants to run, or null. Builds any packets the last
    /// inputs call for first (their T3-rtx is part of the answer), so drain <see cref="TryPollTransmit"/> after it too.
    /// </summary>
    /// <returns>The deadline.</returns>
    public TimeSpan? PollTimeout()
    {
        if (_terminated)
        {
            return null;
        }

        // T3-rtx starts when data is written, which a poll for packets not yet made would miss.
        FlushIfPending();
        TimeSpan? t = Min(_t1, _t2);
        t = Min(t, _t3);
        t = Min(t, _delayedAckAt);
        t = Min(t, _heartbeatAt);
        t = Min(t, _reconfigTimer);
        t = Min(t, _probeTimer);
        return t;
    }

    /// <summary>Runs every timer due at <paramref name="now"/> (T1, T2, T3-rtx, delayed SACK, heartbeat, RE-CONFIG).</summary>
    /// <param name="now">The current monotonic time.</param>
    public void HandleTimeout(TimeSpan now)
    {
        if (_terminated)
        {
            return;
        }

        if (_t1 is TimeSpan t1 && now >= t1)
        {
            OnT1Expired(now);
        }

        if (!_terminated && _t2 is TimeSpan t2 && now >= t2)
        {
            OnT2Expired(now);
        }

        if (!_terminated && _t3 is TimeSpan t3 && now >= t3)
        {
            OnT3Expired(now);
        }

        if (!_terminated && _delayedAckAt is TimeSpan d && now >= d)
        {
            _delayedAckAt = null;
            _sackImmediate |= _sackPending;
        }

        if (!_terminated && _heartbeatAt is TimeSpan hb && now >= hb)
        {
            OnHeartbeatTimer(now);
        }

        if (!_terminated && _reconfigTimer is TimeSpan rc && now >= rc)
        {
            OnReconfigTimer(now);
        }

        if (!_terminated && _probeTimer is TimeSpan pt && now >= pt)
        {
            OnProbeTimer(now);
        }

        if (!_terminated)
        {
            Flush(now);
        }
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);

    /// <summary>Turns a 32-bit serial number (RFC 1982) into the 64-bit value nearest <paramref name="reference"/>.</summary>
    internal static long Unwrap(uint value, long reference) => reference + (int)(value - (uint)reference);

    private void Terminate(SctpCloseReason reason, string? detail)
    {
        if (_terminated)
        {
            return;
        }

        _terminated = true;
        State = SctpAssociationState.Closed;
        _t1 = _t2 = _t3 = _delayedAckAt = _heartbeatAt = _reconfigTimer = _probeTimer = null;
        _pmtuState = SctpPathMtuState.Disabled;
        RaiseEvent(new SctpClosedEvent(reason, detail));
    }

    private void Fail(string detail) => Terminate(SctpCloseReason.Failed, detail);

    private void SendInit()
    {
        // RFC 9653 §5.2: the packet with an INIT always carries a correct CRC32c (Finish computes it).
        Span<byte> parameters = stackalloc byte[MaxFeatureParametersLength];
        int p = WriteFeatureParameters(parameters);
        byte[] buffer = new byte[SctpPacket.CommonHeaderLength + InitChunk.FixedLength + p];
        var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, 0);
        w.TryWriteInit(SctpChunkType.Init, _localTag, (uint)_options.ReceiveBufferSize, _options.OutboundStreams, _options.InboundStreams, _initialTsn, parameters[..p]);
        EnqueuePacket(buffer, w.Finish());
    }

    /// <summary>The most <see cref="WriteFeatureParameters"/> writes: Forward-TSN-Supported 4, Supported Extensions 8, Zero Checksum Acceptable 8.</summary>
    private const int MaxFeatureParametersLength = 4 + 8 + 8;

    private int WriteFeatureParameters(Span<byte> destination)
    {
        // RFC 3758 §3.1 Forward-TSN-Supported and RFC 5061 §4.2.7 Supported Extensions (RE-CONFIG, FORWARD TSN,
        // and I-DATA with I-FORWARD-TSN when interleaving is enabled, RFC 8260 §2.2.1 and §2.3.1).
        int p = SctpParameter.Write(destination, (ushort)SctpParameterType.ForwardTsnSupported, default);
        ReadOnlySpan<byte> extensions = _options.EnableMessageInterleaving
            ? [(byte)SctpChunkType.ReConfig, (byte)SctpChunkType.ForwardTsn, (byte)SctpChunkType.IData, (byte)SctpChunkType.IForwardTsn]
            : [(byte)SctpChunkType.ReConfig, (byte)SctpChunkType.ForwardTsn];
        p += SctpParameter.Write(destination[p..], (ushort)SctpParameterType.SupportedExtensions, extensions);
        if (_options.EnableZeroChecksum)
        {
            // RFC 9653 §5.1: willing to accept zero checksums, so announce the method (SCTP over DTLS, §6) in INIT and INIT ACK.
            Span<byte> method = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(method, SctpErrorDetectionMethod.SctpOverDtls);
            p += SctpParameter.Write(destination[p..], (ushort)SctpParameterType.ZeroChecksumAcceptable, method);
        }

        return p;
    }

    private void EnqueuePacket(byte[] buffer, int length)
    {
        // A packet made outside Flush (INIT ACK, a PMTU probe, ABORT...) goes after the chunks already waiting for the
        // deferred flush (a COOKIE ECHO or COOKIE ACK must not be overtaken); Flush clears the flag first, so its own
        // packets come straight here.
        FlushIfPending();
        _transmit.Enqueue((buffer, length));
        Statistics.PacketsSent++;
    }

    /// <summary>
    /// A buffer to build a packet in: a spare one when there is one. It holds the largest packet ever sent
    /// (<see cref="SctpAssociationOptions.MaxPacketSize"/>, or MAX_PLPMTU with path MTU discovery); writers use the
    /// first <see cref="_mtu"/> bytes (the PLPMTU).
    /// </summary>
    private byte[] RentPacketBuffer() => _sparePackets.TryPop(out byte[]? b) ? b : new byte[_bufferSize];

    private void ReturnPacketBuffer(byte[] buffer)
    {
        // One Flush may queue a congestion window's worth of packets (plus SACKs for what arrived meanwhile); keeping
        // that many buffers lets the next burst reuse them instead of allocating.
        int keep = Math.Clamp(2 * (_cwnd / _mtu), MinSparePackets, MaxSparePackets);
        if (buffer.Length == _bufferSize && _sparePackets.Count < keep)
        {
            _sparePackets.Push(buffer);
        }
    }

    private void RaiseEvent(SctpEvent e) => _events.Enqueue(new Delivery(e, 0, 0, false, null, 0));

    /// <summary>Queues a received message held in <paramref name="buffer"/> (rented from the shared pool, returned when it is read).</summary>
    private void DeliverMessage(ushort streamId, uint ppid, bool unordered, byte[] buffer, int length) =>
        _events.Enqueue(new Delivery(null, streamId, ppid, unordered, buffer, length));

    /// <summary>An event, or (when <see cref="Event"/> is null) a received message in a pooled buffer.</summary>
    private readonly record struct Delivery(SctpEvent? Event, ushort StreamId, uint Ppid, bool Unordered, byte[]? Buffer, int Length);

    private void QueueControl(SctpChunkType type, byte flags, ReadOnlySpan<byte> value)
    {
        byte[] chunk = new byte[SctpChunk.HeaderLength + value.Length];
        chunk[0] = (byte)type;
        chunk[1] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(chunk.AsSpan(2), (ushort)chunk.Length);
        value.CopyTo(chunk.AsSpan(SctpChunk.HeaderLength));
        _control.Enqueue(chunk);
    }

    private void SendAbort(SctpErrorCause cause, ReadOnlySpan<byte> info)
    {
        int max = Math.Min(info.Length, _mtu - SctpPacket.CommonHeaderLength - 8);
        byte[] buffer = RentPacketBuffer();
        var w = new SctpPacketWriter(buffer.AsSpan(0, _mtu), _options.LocalPort, _options.RemotePort, _peerTag);
        w.TryWriteErrorCause(SctpChunkType.Abort, 0, cause, info[..max]);

        // Always with the CRC32c, even under RFC 9653: the peer may already treat it as out of the blue (§5.2 asks for the
        // CRC32c on ABORT and SHUTDOWN COMPLETE sent that way), and a correct CRC32c is accepted everywhere (§5.3).
        EnqueuePacket(buffer, w.Finish());
    }

    private void AbortForViolation(SctpErrorCause cause, string detail)
    {
        SendAbort(cause, System.Text.Encoding.UTF8.GetBytes(detail));
        Terminate(SctpCloseReason.AbortedLocally, detail);
    }

    private void OnT1Expired(TimeSpan now)
    {
        _t1Retries++;
        if (_t1Retries > _options.MaxInitRetransmissions)
        {
            Fail(State == SctpAssociationState.CookieWait ? "no INIT ACK" : "no COOKIE ACK");
            return;
        }

        _t1Rto = _t1Rto * 2 > _options.RtoMax ? _options.RtoMax : _t1Rto * 2;
        if (State == SctpAssociationState.CookieWait)
        {
            SendInit();
        }
        else if (State == SctpAssociationState.CookieEchoed && _cookieEcho is not null)
        {
            _control.Enqueue(_cookieEcho);
        }
        else
        {
            _t1 = null;
            return;
        }

        _t1 = now + _t1Rto;
    }

    private void OnT2Expired(TimeSpan now)
    {
        _t2Retries++;
        _errorCount++;
        if (_t2Retries > _options.MaxRetransmissions)
        {
            Fail("no answer to SHUTDOWN");
            return;
        }

        _rto.Backoff();
        if (State == SctpAssociationState.ShutdownSent)
        {
            QueueShutdown();
        }
        else if (State == SctpAssociationState.ShutdownAckSent)
        {
            QueueControl(SctpChunkType.ShutdownAck, 0, default);
        }
        else
        {
            _t2 = null;
            return;
        }

        _t2 = now + _rto.Rto;
    }

    private void QueueShutdown()
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(v, (uint)_peerCumTsn);
        QueueControl(SctpChunkType.Shutdown, 0, v);
    }

    private bool AllDataAcknowledged() => _cumAckTsn == _nextTsn - 1 && _scheduler.IsEmpty;

    private void CheckShutdownProgress(TimeSpan now)
    {
        if (State == SctpAssociationState.ShutdownPending && AllDataAcknowledged())
        {
            State = SctpAssociationState.ShutdownSent;
            QueueShutdown();
            _t2Retries = 0;
            _t2 = now + _rto.Rto;
            _t3 = null;
        }
        else if (State == SctpAssociationState.ShutdownReceived && AllDataAcknowledged())
        {
            State = SctpAssociationState.ShutdownAckSent;
            QueueControl(SctpChunkType.ShutdownAck, 0, default);
            _t2Retries = 0;
            _t2 = now + _rto.Rto;
            _t3 = null;
        }
    }

    private void ArmHeartbeat(TimeSpan now)
    {
        // RFC 9260 §8.3: HB.interval + RTO with jitter of +/- 50 % of the RTO.
        double jitter = 0.5 + _random.NextDouble();
        _heartbeatAt = now + _options.HeartbeatInterval + TimeSpan.FromTicks((long)(_rto.Rto.Ticks * jitter));
    }

    private void OnHeartbeatTimer(TimeSpan now)
    {
        if (State is not (SctpAssociationState.Established or SctpAssociationState.ShutdownPending or SctpAssociationState.ShutdownReceived))
        {
            _heartbeatAt = null;
            return;
        }

        if (_flightSize > 0)
        {
            // Not idle: T3-rtx watches the path (RFC 9260 §8.3 heartbeats idle destinations).
            _heartbeatOutstanding = false;
            ArmHeartbeat(now);
            return;
        }

        if (_heartbeatOutstanding)
        {
            _errorCount++;
            if (_errorCount > _options.MaxRetransmissions)
            {
                Fail("heartbeats unanswered");
                return;
            }
        }

        _heartbeatNonce = (ulong)_random.NextInt64();
        Span<byte> info = stackalloc byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)SctpParameterType.HeartbeatInfo);
        BinaryPrimitives.WriteUInt16BigEndian(info[2..], 20);
        BinaryPrimitives.WriteInt64BigEndian(info[4..], now.Ticks);
        BinaryPrimitives.WriteUInt64BigEndian(info[12..], _heartbeatNonce);
        QueueControl(SctpChunkType.Heartbeat, 0, info);
        _heartbeatOutstanding = true;
        Statistics.HeartbeatsSent++;
        ArmHeartbeat(now);
    }
}
