using System.Diagnostics;
using System.Text;
using RtcStack.Sctp;
using RtcStack.Sctp.DataChannels;
using RtcStack.Sctp.Packets;

namespace RtcStack.Interop.Tests.Sctp;

/// <summary>
/// The wire between our <see cref="SctpAssociation"/> (optionally driven through a
/// <see cref="DataChannelTransport"/>) and a <see cref="UsrsctpPeer"/>: a single-threaded driver loop on
/// the real clock (usrsctp runs its own timers) that moves every packet both ways and can drop
/// (random, seeded, or by a filter) and reorder (hold one packet and release it after the next) each
/// direction. It counts the chunk types crossing each way.
/// </summary>
internal sealed class SctpLink
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Random _random;
    private readonly Dictionary<(bool ToPeer, SctpChunkType Type), int> _chunks = new();
    private byte[]? _heldToPeer;
    private byte[]? _heldToUs;
    private TimeSpan _heldToPeerAt;
    private TimeSpan _heldToUsAt;

    public SctpLink(SctpAssociation ours, UsrsctpPeer peer, int seed, DataChannelTransport? transport = null)
    {
        Ours = ours;
        Peer = peer;
        Transport = transport;
        _random = new Random(seed);
    }

    public SctpAssociation Ours { get; }

    public UsrsctpPeer Peer { get; }

    public DataChannelTransport? Transport { get; }

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Gets or sets the probability of dropping a packet going to usrsctp.</summary>
    public double LossToPeer { get; set; }

    /// <summary>Gets or sets the probability of dropping a packet going to us.</summary>
    public double LossToUs { get; set; }

    /// <summary>Gets or sets the probability of holding a packet back behind the next one (either way).</summary>
    public double Reorder { get; set; }

    /// <summary>Gets or sets a filter that drops a packet when it returns true (direction: to usrsctp).</summary>
    public Func<bool, byte[], bool>? Drop { get; set; }

    public List<SctpEvent> OurEvents { get; } = new();

    public List<SctpMessageEvent> OurMessages { get; } = new();

    public List<DataChannelEvent> ChannelEvents { get; } = new();

    public List<UsrsctpMessage> PeerMessages { get; } = new();

    public List<string> PeerEvents { get; } = new();

    /// <summary>Gets the packets the first INIT or INIT ACK usrsctp sent (its offer).</summary>
    public byte[]? PeerInitChunk { get; private set; }

    public int Dropped { get; private set; }

    public int Reordered { get; private set; }

    public int PacketsToPeer { get; private set; }

    public int PacketsToUs { get; private set; }

    public long BytesToUs { get; private set; }

    public long BytesToPeer { get; private set; }

    /// <summary>Gets the smallest a_rwnd our SACKs advertised (RFC 9260 §3.3.4).</summary>
    public uint MinOurRwnd { get; private set; } = uint.MaxValue;

    /// <summary>Gets the longest time between two packets carrying DATA from usrsctp.</summary>
    public TimeSpan LongestPeerDataGap { get; private set; }

    private TimeSpan? _lastPeerData;

    /// <summary>Gets or sets a list that receives one line per packet (direction, fate, chunks) when set.</summary>
    public List<string>? Trace { get; set; }

    /// <summary>One line describing a packet's chunks (DATA TSN/stream/flags/length, SACK, FORWARD TSN).</summary>
    public static string DescribePacket(byte[] packet)
    {
        if (SctpPacket.TryParse(packet, out SctpPacket p, verifyChecksum: false) != SctpParseStatus.Ok)
        {
            return "unparsable";
        }

        var sb = new StringBuilder();
        foreach (SctpChunk c in p.Chunks)
        {
            if (c.Type == SctpChunkType.Data && DataChunk.TryParse(c, out DataChunk d))
            {
                sb.Append($"DATA tsn={d.Tsn} sid={d.StreamId} ssn={d.StreamSequence} {(d.Beginning ? "B" : "")}{(d.Ending ? "E" : "")}{(d.Unordered ? "U" : "")} len={d.UserData.Length}; ");
            }
            else if (c.Type == SctpChunkType.IData && IDataChunk.TryParse(c, out IDataChunk id))
            {
                sb.Append($"I-DATA tsn={id.Tsn} sid={id.StreamId} mid={id.MessageId} {(id.Beginning ? "ppid" : "fsn")}={id.PpidOrFsn} {(id.Beginning ? "B" : "")}{(id.Ending ? "E" : "")}{(id.Unordered ? "U" : "")} len={id.UserData.Length}; ");
            }
            else if (c.Type == SctpChunkType.IForwardTsn && IForwardTsnChunk.TryParse(c, out IForwardTsnChunk fi))
            {
                sb.Append($"I-FWD-TSN cum={fi.NewCumulativeTsn} entries=");
                for (int j = 0; j < fi.EntryCount; j++)
                {
                    sb.Append(fi.GetEntry(j)).Append(',');
                }

                sb.Append("; ");
            }
            else if (c.Type == SctpChunkType.Sack && SackChunk.TryParse(c, out SackChunk k))
            {
                sb.Append($"SACK cum={k.CumulativeTsnAck} gaps=");
                for (int i = 0; i < k.GapBlockCount; i++)
                {
                    sb.Append(k.GetGapBlock(i)).Append(',');
                }

                sb.Append($" dups={k.DuplicateCount}; ");
            }
            else if (c.Type == SctpChunkType.ForwardTsn && ForwardTsnChunk.TryParse(c, out ForwardTsnChunk f))
            {
                sb.Append($"FWD-TSN cum={f.NewCumulativeTsn} streams=");
                for (int i = 0; i < f.StreamCount; i++)
                {
                    sb.Append(f.GetStream(i)).Append(',');
                }

                sb.Append("; ");
            }
            else
            {
                sb.Append(c.Type).Append("; ");
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Counts the messages whose every fragment (B to E over consecutive TSNs) was delivered in the given
    /// direction at least once: what a correct receiver can deliver (needs <see cref="Trace"/>-free bookkeeping, always on).
    /// </summary>
    public int CompleteMessagesDelivered(bool toPeer, ushort streamId) => CompleteMessagesOnWire(toPeer, streamId).Count;

    /// <summary>
    /// The messages <see cref="CompleteMessagesDelivered"/> counts: first and last TSN, and the first four bytes of the
    /// first fragment's user data (big-endian; the tests put a message number there), or -1 when shorter.
    /// </summary>
    public List<(uint FirstTsn, uint LastTsn, int Tag)> CompleteMessagesOnWire(bool toPeer, ushort streamId)
    {
        int dir = toPeer ? 0 : 1;
        var chunks = _deliveredData[dir]
            .Where((c, i) => c.StreamId == streamId && !_coveredOnArrival[dir].Contains(i))
            .GroupBy(c => c.Tsn)
            .ToDictionary(g => g.Key, g => g.First());
        var complete = new List<(uint FirstTsn, uint LastTsn, int Tag)>();
        foreach ((uint tsn, (uint _, ushort _, byte flags, int tag)) in chunks)
        {
            if ((flags & DataChunk.BeginningFlag) == 0)
            {
                continue;
            }

            uint t = tsn;
            while (chunks.TryGetValue(t, out (uint Tsn, ushort StreamId, byte Flags, int Tag) c))
            {
                if ((c.Flags & DataChunk.EndingFlag) != 0)
                {
                    complete.Add((tsn, t, tag));
                    break;
                }

                t++;
            }
        }

        return complete;
    }

    private readonly List<(uint Tsn, ushort StreamId, byte Flags, int Tag)>[] _deliveredData = [new(), new()];

    /// <summary>
    /// Indexes into <see cref="_deliveredData"/> of DATA chunks that arrived after a FORWARD TSN in the same
    /// direction had already moved the cumulative TSN over them: RFC 3758 §3.6 has the receiver treat those
    /// TSNs as received, so the late copy is a duplicate and its message is not deliverable.
    /// </summary>
    private readonly HashSet<int>[] _coveredOnArrival = [new(), new()];

    private readonly uint?[] _forwardTsn = [null, null];

    /// <summary>Gets how many DATA chunks arrived after a FORWARD TSN had covered them, per direction.</summary>
    public int ChunksCoveredOnArrival(bool toPeer) => _coveredOnArrival[toPeer ? 0 : 1].Count;
    private readonly List<(uint Tsn, ushort StreamId, byte Flags)>[] _deliveredIData = [new(), new()];

    /// <summary>Gets the I-DATA chunks (TSN, stream, flags) delivered in one direction, in delivery order.</summary>
    public IReadOnlyList<(uint Tsn, ushort StreamId, byte Flags)> DeliveredIData(bool toPeer) => _deliveredIData[toPeer ? 0 : 1];

    public int Chunks(bool toPeer, SctpChunkType type) => _chunks.GetValueOrDefault((toPeer, type));

    public bool PeerSaw(string prefix) => PeerEvents.Any(e => e.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Runs the loop until <paramref name="done"/> holds; throws with what both sides did after <paramref name="limit"/>.</summary>
    public void RunUntil(Func<bool> done, TimeSpan limit, string what)
    {
        TimeSpan end = Now + limit;
        Pump();
        while (!done())
        {
            if (Now > end)
            {
                throw new TimeoutException($"{what}: not done after {limit.TotalSeconds} s. {Describe()}");
            }

            TimeSpan now = Now;
            TimeSpan? due = Transport?.PollTimeout() ?? Ours.PollTimeout();
            if (due is TimeSpan t && now >= t)
            {
                if (Transport is not null)
                {
                    Transport.HandleTimeout(now);
                }
                else
                {
                    Ours.HandleTimeout(now);
                }
            }

            Pump();
            ReleaseHeld(false);
            int wait = 5;
            if (due is TimeSpan d2)
            {
                wait = (int)Math.Clamp((d2 - Now).TotalMilliseconds, 0, 5);
            }

            if (Peer.Frames.TryTake(out (char Type, byte[] Payload) frame, wait))
            {
                OnFrame(frame);
                while (Peer.Frames.TryTake(out frame))
                {
                    OnFrame(frame);
                }

                Pump();
            }
        }
    }

    /// <summary>Runs the loop for a while (to let retransmissions and acknowledgements settle).</summary>
    public void RunFor(TimeSpan span)
    {
        TimeSpan end = Now + span;
        RunUntil(() => Now >= end, span + TimeSpan.FromSeconds(1), "run");
    }

    /// <summary>One line of counters for the test output.</summary>
    public string Summary() =>
        $"{Now.TotalSeconds:F2} s since start; packets to usrsctp {PacketsToPeer}, to us {PacketsToUs}; dropped {Dropped}, reordered {Reordered}; " +
        $"ours: retransmissions {Ours.Statistics.Retransmissions} (fast {Ours.Statistics.FastRetransmits}, T3 expirations {Ours.Statistics.T3Expirations}), " +
        $"duplicate TSNs received {Ours.Statistics.DuplicateTsnsReceived}, SACKs sent {Ours.Statistics.SacksSent}; longest pause in usrsctp's DATA {LongestPeerDataGap.TotalMilliseconds:F0} ms";

    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append($"ours: {Ours.State}, flight {Ours.FlightSize}, buffered {Ours.BufferedAmount}, cwnd {Ours.CongestionWindow}, ");
        sb.Append($"sent {Ours.Statistics.PacketsSent} received {Ours.Statistics.PacketsReceived} dropped {Ours.Statistics.PacketsDropped} ");
        sb.Append($"retransmissions {Ours.Statistics.Retransmissions} abandoned {Ours.Statistics.MessagesAbandoned} fwd-tsn {Ours.Statistics.ForwardTsnsSent}; ");
        sb.Append($"messages to us {OurMessages.Count}, to usrsctp {PeerMessages.Count}; link dropped {Dropped} reordered {Reordered}; ");
        sb.Append($"usrsctp exited {Peer.HasExited}; usrsctp events [{string.Join("; ", PeerEvents.TakeLast(10))}]; ");
        sb.Append($"our events [{string.Join("; ", OurEvents.Where(e => e is not SctpMessageEvent).TakeLast(10))}]");
        string err = Peer.StdErr;
        if (err.Length > 0)
        {
            sb.Append("; usrsctp stderr: ").Append(err.Length > 3000 ? err[^3000..] : err);
        }

        return sb.ToString();
    }

    private void OnFrame((char Type, byte[] Payload) frame)
    {
        switch (frame.Type)
        {
            case 'P':
                Count(false, frame.Payload);
                Impair(false, frame.Payload);
                break;
            case 'M':
                PeerMessages.Add(UsrsctpPeer.ParseMessage(frame.Payload));
                break;
            case 'E':
                PeerEvents.Add(Encoding.UTF8.GetString(frame.Payload));
                break;
        }
    }

    private void Pump()
    {
        TimeSpan now = Now;
        while (Ours.TryPollTransmit(out ReadOnlyMemory<byte> packet))
        {
            byte[] copy = packet.ToArray();
            Count(true, copy);
            Impair(true, copy);
        }

        if (Transport is not null)
        {
            while (Transport.TryPollEvent(out DataChannelEvent? e))
            {
                ChannelEvents.Add(e!);
            }
        }
        else
        {
            while (Ours.TryPollEvent(out SctpEvent? e))
            {
                OurEvents.Add(e!);
                if (e is SctpMessageEvent m)
                {
                    OurMessages.Add(m);
                }
            }
        }

        _ = now;
    }

    private void Count(bool toPeer, byte[] packet)
    {
        if (SctpPacket.TryParse(packet, out SctpPacket p, verifyChecksum: false) != SctpParseStatus.Ok)
        {
            return;
        }

        foreach (SctpChunk c in p.Chunks)
        {
            _chunks[(toPeer, c.Type)] = _chunks.GetValueOrDefault((toPeer, c.Type)) + 1;
            if (toPeer && c.Type == SctpChunkType.Sack && c.Value.Length >= 8)
            {
                MinOurRwnd = Math.Min(MinOurRwnd, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(c.Value[4..]));
            }

            if (!toPeer && c.Type is SctpChunkType.Data or SctpChunkType.IData)
            {
                if (_lastPeerData is TimeSpan last && Now - last > LongestPeerDataGap)
                {
                    LongestPeerDataGap = Now - last;
                }

                _lastPeerData = Now;
            }

            if (!toPeer && PeerInitChunk is null && c.Type is SctpChunkType.Init or SctpChunkType.InitAck)
            {
                PeerInitChunk = c.Raw.ToArray();
            }
        }
    }

    private void Impair(bool toPeer, byte[] packet)
    {
        if ((Drop?.Invoke(toPeer, packet) ?? false) || _random.NextDouble() < (toPeer ? LossToPeer : LossToUs))
        {
            Trace?.Add($"{Now.TotalMilliseconds:F1} {(toPeer ? "us->usrsctp" : "usrsctp->us")} DROPPED {DescribePacket(packet)}");
            Dropped++;
            return;
        }

        ref byte[]? held = ref toPeer ? ref _heldToPeer : ref _heldToUs;
        if (held is null && Reorder > 0 && _random.NextDouble() < Reorder)
        {
            held = packet;
            if (toPeer)
            {
                _heldToPeerAt = Now;
            }
            else
            {
                _heldToUsAt = Now;
            }

            return;
        }

        Deliver(toPeer, packet);
        if (held is not null)
        {
            byte[] late = held;
            held = null;
            Reordered++;
            Deliver(toPeer, late);
        }
    }

    /// <summary>A held packet with nothing behind it goes out after 10 ms (or at once when <paramref name="all"/>).</summary>
    private void ReleaseHeld(bool all)
    {
        TimeSpan limit = TimeSpan.FromMilliseconds(10);
        if (_heldToPeer is not null && (all || Now - _heldToPeerAt > limit))
        {
            byte[] p = _heldToPeer;
            _heldToPeer = null;
            Deliver(true, p);
        }

        if (_heldToUs is not null && (all || Now - _heldToUsAt > limit))
        {
            byte[] p = _heldToUs;
            _heldToUs = null;
            Deliver(false, p);
        }
    }

    private void Deliver(bool toPeer, byte[] packet)
    {
        if (SctpPacket.TryParse(packet, out SctpPacket parsed, verifyChecksum: false) == SctpParseStatus.Ok)
        {
            foreach (SctpChunk c in parsed.Chunks)
            {
                int dir = toPeer ? 0 : 1;
                if (c.Type == SctpChunkType.Data && DataChunk.TryParse(c, out DataChunk d))
                {
                    if (_forwardTsn[dir] is uint fwd && (int)(d.Tsn - fwd) <= 0)
                    {
                        _coveredOnArrival[dir].Add(_deliveredData[dir].Count);
                    }

                    _deliveredData[dir].Add((d.Tsn, d.StreamId, d.Flags, d.UserData.Length >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(d.UserData) : -1));
                }
                else if (c.Type == SctpChunkType.ForwardTsn && ForwardTsnChunk.TryParse(c, out ForwardTsnChunk f))
                {
                    if (_forwardTsn[dir] is not uint prev || (int)(f.NewCumulativeTsn - prev) > 0)
                    {
                        _forwardTsn[dir] = f.NewCumulativeTsn;
                    }
                }
                else if (IDataChunk.TryParse(c, out IDataChunk id))
                {
                    _deliveredIData[toPeer ? 0 : 1].Add((id.Tsn, id.StreamId, id.Flags));
                }
            }
        }

        Trace?.Add($"{Now.TotalMilliseconds:F1} {(toPeer ? "us->usrsctp" : "usrsctp->us")} {DescribePacket(packet)}");
        if (toPeer)
        {
            PacketsToPeer++;
            BytesToPeer += packet.Length;
            Peer.Packet(packet);
        }
        else
        {
            PacketsToUs++;
            BytesToUs += packet.Length;
            if (Transport is not null)
            {
                Transport.HandleDatagram(packet, Now);
            }
            else
            {
                Ours.HandleDatagram(packet, Now);
            }

            Pump();
        }
    }
}
