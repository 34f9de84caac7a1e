using System.Buffers.Binary;
using RtcStack.Sctp.Packets;

namespace RtcStack.Sctp;

/// <summary>
/// Datagram Packetization Layer Path MTU Discovery (RFC 8899) for SCTP (§6.2), when
/// <see cref="SctpAssociationOptions.EnablePathMtuDiscovery"/> is set. Sizes are SCTP packet bytes (common header and
/// chunks), what goes into one DTLS record.
/// <para>
/// State machine (§5.2): DISABLED until the association is established; BASE probes BASE_PLPMTU
/// (<see cref="SctpAssociationOptions.MaxPacketSize"/>); SEARCHING probes larger sizes; SEARCH_COMPLETE waits
/// PMTU_RAISE_TIMER, then searches again; ERROR uses MIN_PLPMTU and keeps probing BASE_PLPMTU.
/// </para>
/// <para>
/// Search (§5.3): the first probe of a search is MAX_PLPMTU; after that, binary search between the confirmed PLPMTU (low)
/// and the largest size not known to fail (high), on multiples of 4 bytes, until no size is left between them. A probe
/// size counts as failed after MAX_PROBES probes of it went unanswered (each waits PROBE_TIMER); high then becomes that
/// size less 4 and the search goes on below it. So a search ends with the largest multiple of 4 not above the path's
/// limit (capped at MAX_PLPMTU).
/// </para>
/// <para>
/// Probes (§4.1, §6.2): one packet of exactly the probe size, a HEARTBEAT chunk whose Heartbeat Info (20 bytes: send time,
/// a random nonce, the probe size) identifies the probe, then a PAD chunk (RFC 4820) filling the rest with zeros. They
/// are not DATA: never retransmitted, outside the congestion window and flight size, and their loss neither counts as
/// congestion nor against the association's error counter (§3 items 4, 7, 8).
/// </para>
/// <para>
/// Black hole detection (§4.3, third indicator): while the PLPMTU is above BASE_PLPMTU, two T3-rtx expirations in a row
/// without the cumulative TSN ack advancing in between (gap acks of smaller packets do not count) mean the path no longer carries the PLPMTU: it falls back to BASE_PLPMTU and the
/// BASE state confirms that with a probe. Retransmissions are rebundled into packets of the new PLPMTU.
/// </para>
/// </summary>
public sealed partial class SctpAssociation
{
    /// <summary>The Heartbeat Info value of a probe: send time (8), nonce (8), probe size (4).</summary>
    private const int ProbeInfoLength = 20;

    /// <summary>HEARTBEAT chunk of a probe: chunk header (4), Heartbeat Info parameter header (4), value.</summary>
    private const int ProbeHeartbeatChunkLength = SctpChunk.HeaderLength + SctpParameter.HeaderLength + ProbeInfoLength;

    /// <summary>The smallest probe: common header, the HEARTBEAT chunk and an empty PAD chunk.</summary>
    private const int MinProbeSize = SctpPacket.CommonHeaderLength + ProbeHeartbeatChunkLength + SctpChunk.HeaderLength;

    /// <summary>T3-rtx expirations in a row, no DATA acknowledged between them, that count as a black hole.</summary>
    private const int BlackHoleT3Expirations = 2;

    private int _basePmtu;
    private int _minPmtu;
    private int _maxPmtu;
    private SctpPathMtuState _pmtuState;
    private TimeSpan? _probeTimer;
    private bool _probeOutstanding;
    private ulong _probeNonce;
    private int _probedSize;
    private int _probeCount;
    private int _searchHigh;
    private bool _searchTriedHigh;
    private int _pmtuT3Expirations;
    private bool _oversizedChunkPending;

    /// <summary>
    /// Gets the PLPMTU: the largest packet sent other than probes, and what DATA fragments are sized to. Always
    /// <see cref="SctpAssociationOptions.MaxPacketSize"/> unless path MTU discovery (RFC 8899) is on.
    /// </summary>
    public int PathMtu => _mtu;

    /// <summary>Gets the path MTU discovery state (RFC 8899 §5.2); <see cref="SctpPathMtuState.Disabled"/> when the option is off.</summary>
    public SctpPathMtuState PathMtuState => _pmtuState;

    private void InitPathMtuDiscovery()
    {
        _basePmtu = _options.MaxPacketSize & ~3;
        _maxPmtu = _options.MaxPathMtu & ~3;
        _minPmtu = Math.Min(_options.MinPathMtu, _options.MaxPacketSize);
        if (_maxPmtu < _basePmtu || _options.MaxPathMtu > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(_options), "MaxPathMtu must be MaxPacketSize to 65535");
        }

        if (_minPmtu < 64 || _basePmtu < MinProbeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(_options), "MinPathMtu must be at least 64");
        }

        if (_options.PathMtuProbeTimeout < TimeSpan.FromSeconds(1))
        {
            // RFC 8899 §5.1.1: PROBE_TIMER MUST NOT be smaller than 1 second.
            throw new ArgumentOutOfRangeException(nameof(_options), "PathMtuProbeTimeout must be at least 1 s (RFC 8899 §5.1.1)");
        }

        if (_options.PathMtuMaxProbes < 1 || _options.PathMtuRaiseInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(_options), "PathMtuMaxProbes must be at least 1 and PathMtuRaiseInterval positive");
        }
    }

    /// <summary>DISABLED to BASE once the association is up (RFC 8899 §5.2: a BASE_PLPMTU probe can go at once).</summary>
    private void StartPathMtuDiscovery(TimeSpan now)
    {
        if (_options.EnablePathMtuDiscovery && _pmtuState == SctpPathMtuState.Disabled && !_terminated)
        {
            EnterBase(now);
        }
    }

    private void EnterBase(TimeSpan now)
    {
        _pmtuState = SctpPathMtuState.Base;
        _probeCount = 0;
        _pmtuT3Expirations = 0;
        SendProbe(_basePmtu, now);
    }

    private void EnterSearching(TimeSpan now)
    {
        _pmtuState = SctpPathMtuState.Searching;
        _searchHigh = _maxPmtu;
        _searchTriedHigh = false;
        NextSearchProbe(now);
    }

    /// <summary>The next probe of the search, or SEARCH_COMPLETE when no size is left between the PLPMTU and the upper bound.</summary>
    private void NextSearchProbe(TimeSpan now)
    {
        int low = _mtu & ~3;
        if (_searchHigh < low + 4)
        {
            _pmtuState = SctpPathMtuState.SearchComplete;
            _probeOutstanding = false;
            _probeTimer = now + _options.PathMtuRaiseInterval;
            return;
        }

        int size;
        if (!_searchTriedHigh)
        {
            _searchTriedHigh = true;
            size = _searchHigh;
        }
        else
        {
            size = Math.Max(low + (((_searchHigh - low) / 8) * 4), low + 4);
        }

        _probeCount = 0;
        SendProbe(size, now);
    }

    /// <summary>Sends one probe packet of exactly <paramref name="size"/> bytes and starts PROBE_TIMER (RFC 8899 §5.3.1).</summary>
    private void SendProbe(int size, TimeSpan now)
    {
        _probedSize = size;
        _probeNonce = (ulong)_random.NextInt64();
        byte[] buffer = RentPacketBuffer();
        var w = new SctpPacketWriter(buffer.AsSpan(0, size), _options.LocalPort, _options.RemotePort, _peerTag);
        w.TryReserve(SctpChunkType.Heartbeat, 0, SctpParameter.HeaderLength + ProbeInfoLength, out Span<byte> hb);
        BinaryPrimitives.WriteUInt16BigEndian(hb, (ushort)SctpParameterType.HeartbeatInfo);
        BinaryPrimitives.WriteUInt16BigEndian(hb[2..], SctpParameter.HeaderLength + ProbeInfoLength);
        BinaryPrimitives.WriteInt64BigEndian(hb[4..], now.Ticks);
        BinaryPrimitives.WriteUInt64BigEndian(hb[12..], _probeNonce);
        BinaryPrimitives.WriteInt32BigEndian(hb[20..], size);

        // RFC 4820 §3: the PAD chunk's flags are 0 and its padding is ignored by the receiver; zeros here, so no bytes
        // of an earlier packet in this reused buffer go out.
        w.TryReserve(SctpChunkType.Pad, 0, size - MinProbeSize, out Span<byte> pad);
        pad.Clear();
        bool zero = _sendZeroChecksum;
        EnqueuePacket(buffer, w.Finish(zero));
        if (zero)
        {
            Statistics.ZeroChecksumPacketsSent++;
        }

        Statistics.PathMtuProbesSent++;
        _probeOutstanding = true;
        _probeTimer = now + _options.PathMtuProbeTimeout;
    }

    private void HandleProbeAck(ReadOnlySpan<byte> info, TimeSpan now)
    {
        // RFC 8899 §4.1: the nonce and size identify the probe; a late, duplicated or forged answer matches neither.
        if (!_probeOutstanding || BinaryPrimitives.ReadUInt64BigEndian(info[8..]) != _probeNonce
            || BinaryPrimitives.ReadInt32BigEndian(info[16..]) != _probedSize)
        {
            return;
        }

        _probeOutstanding = false;
        _probeTimer = null;
        Statistics.PathMtuProbesAcknowledged++;
        switch (_pmtuState)
        {
            case SctpPathMtuState.Base:
                EnterSearching(now);
                break;
            case SctpPathMtuState.Error:
                SetPathMtu(_basePmtu, SctpPathMtuChangeReason.BaseConfirmed);
                EnterSearching(now);
                break;
            case SctpPathMtuState.Searching:
                // §5.2 SEARCHING: the PLPMTU becomes the probed size. It does not touch cwnd (§3 item 7).
                SetPathMtu(_probedSize, SctpPathMtuChangeReason.ProbeAcknowledged);
                NextSearchProbe(now);
                break;
        }
    }

    private void OnProbeTimer(TimeSpan now)
    {
        _probeTimer = null;
        if (!IsDataState() || State == SctpAssociationState.ShutdownSent)
        {
            return;
        }

        if (_pmtuState == SctpPathMtuState.SearchComplete)
        {
            // PMTU_RAISE_TIMER (§5.1.1): search again above the current PLPMTU.
            EnterSearching(now);
            return;
        }

        if (!_probeOutstanding)
        {
            return;
        }

        _probeOutstanding = false;
        Statistics.PathMtuProbesLost++;
        _probeCount++;
        if (_probeCount < _options.PathMtuMaxProbes)
        {
            SendProbe(_probedSize, now);
            return;
        }

        switch (_pmtuState)
        {
            case SctpPathMtuState.Base:
                // §5.2 BASE: PROBE_COUNT = MAX_PROBES: ERROR, where MIN_PLPMTU is used and BASE_PLPMTU keeps being probed.
                _pmtuState = SctpPathMtuState.Error;
                SetPathMtu(_minPmtu, SctpPathMtuChangeReason.BaseUnconfirmed);
                _probeCount = 0;
                SendProbe(_basePmtu, now);
                break;
            case SctpPathMtuState.Error:
                _probeCount = 0;
                SendProbe(_basePmtu, now);
                break;
            case SctpPathMtuState.Searching:
                // This size fails: the search goes on below it (ends in SEARCH_COMPLETE when nothing is left).
                _searchHigh = _probedSize - 4;
                NextSearchProbe(now);
                break;
        }
    }

    /// <summary>Black hole detection (RFC 8899 §4.3): called on every T3-rtx expiry, before cwnd is reset.</summary>
    private void OnPathMtuT3Expired(TimeSpan now)
    {
        if (_pmtuState is not (SctpPathMtuState.Searching or SctpPathMtuState.SearchComplete) || _mtu <= _basePmtu)
        {
            return;
        }

        _pmtuT3Expirations++;
        if (_pmtuT3Expirations < BlackHoleT3Expirations)
        {
            return;
        }

        Statistics.PathMtuBlackHolesDetected++;
        SetPathMtu(_basePmtu, SctpPathMtuChangeReason.BlackHoleDetected);
        EnterBase(now);
    }

    private void SetPathMtu(int size, SctpPathMtuChangeReason reason)
    {
        if (size == _mtu)
        {
            return;
        }

        int previous = _mtu;
        _mtu = size;
        _pmtuT3Expirations = 0; // losses counted against the old size say nothing about the new one
        RaiseEvent(new SctpPathMtuChangedEvent(size, previous, reason));
    }

    /// <summary>
    /// A DATA chunk did not fit an empty packet: it was made when the PLPMTU was larger (RFC 9260 §6.9: a chunk once
    /// given its TSN is not fragmented again). The next packet is built in the whole buffer and carries it alone.
    /// </summary>
    private void NoteOversizedChunk(ref SctpPacketWriter w, OutboundChunk c)
    {
        if (w.IsEmpty && c.Length > MaxDataPerChunk)
        {
            _oversizedChunkPending = true;
        }
    }
}
