using System.Buffers;
using RtcStack.Sctp.Packets;

namespace RtcStack.Sctp;

public sealed partial class SctpAssociation
{
    // Received TSNs beyond this distance from the cumulative TSN are dropped: no honest peer runs that far ahead.
    private const long MaxTsnAhead = 1 << 20;
    private const int MaxDuplicatesReported = 32;
    private const int MaxGapBlocksReported = 64;

    private readonly SortedSet<long> _receivedAbove = new();
    private readonly List<uint> _duplicates = new();
    private readonly Dictionary<long, InboundChunk> _fragments = new();
    private readonly Dictionary<ushort, InboundStream> _inbound = new();
    private readonly List<ushort> _ssnScratch = new();
    private readonly List<long> _tsnScratch = new();

    // The DATA message being assembled in TSN order (RFC 9260 §6.9), in a rented buffer that grows by doubling;
    // _assemblyNextTsn is the TSN its next fragment must have, -1 when there is none.
    private byte[]? _assembly;
    private int _assemblyLength;
    private long _assemblyNextTsn = -1;
    private ushort _assemblyStream;
    private ushort _assemblySsn;
    private uint _assemblyPpid;
    private bool _assemblyUnordered;
    private long _peerCumTsn;
    private long _highestReceived;
    private int _bufferedBytes;
    private bool _sackPending;
    private bool _sackImmediate;
    private int _packetsSinceSack;
    private TimeSpan? _delayedAckAt;
    private bool _gapsBeforePacket;

    /// <summary>Gets the bytes held for reassembly and ordering (what the advertised window subtracts, RFC 9260 §6.2).</summary>
    public int ReceiveBufferedBytes => _bufferedBytes;

    private uint AdvertisedWindow => (uint)Math.Max(0, _options.ReceiveBufferSize - _bufferedBytes);

    private enum TsnVerdict
    {
        /// <summary>A new TSN on a valid stream: take the data.</summary>
        Accept,

        /// <summary>Duplicate, too far ahead, no room, or an invalid stream: the data is not taken.</summary>
        Discard,

        /// <summary>The association was aborted.</summary>
        Aborted,
    }

    /// <summary>
    /// What DATA (RFC 9260 §6.2) and I-DATA (RFC 8260 §2.2.3) share: the empty-chunk ABORT, duplicate reporting,
    /// the receive window, marking the TSN received, and the invalid stream check (§6.5).
    /// </summary>
    private TsnVerdict AcceptTsn(uint tsn, ushort streamId, int length, bool immediate, out long t)
    {
        t = 0;
        if (length == 0)
        {
            // RFC 9260 §6.2: a DATA chunk without user data MUST be answered with ABORT (No User Data).
            Span<byte> info = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(info, tsn);
            SendAbort(SctpErrorCause.NoUserData, info);
            Terminate(SctpCloseReason.AbortedLocally, "DATA chunk without user data");
            return TsnVerdict.Aborted;
        }

        _sackPending = true;
        if (immediate)
        {
            _sackImmediate = true;
        }

        t = Unwrap(tsn, _peerCumTsn);
        if (t <= _peerCumTsn || _receivedAbove.Contains(t))
        {
            // RFC 9260 §6.2: report duplicates in the next SACK, sent at once (§6.7).
            Statistics.DuplicateTsnsReceived++;
            if (_duplicates.Count < MaxDuplicatesReported)
            {
                _duplicates.Add(tsn);
            }

            _sackImmediate = true;
            return TsnVerdict.Discard;
        }

        if (t - _peerCumTsn > MaxTsnAhead)
        {
            return TsnVerdict.Discard;
        }

        // RFC 9260 §6.2: with no room, drop new TSNs beyond the highest received; holes may still be filled.
        if (t > _highestReceived && _bufferedBytes + length > _options.ReceiveBufferSize)
        {
            _sackImmediate = true;
            return TsnVerdict.Discard;
        }

        MarkReceived(t);
        if (streamId >= _inboundStreams)
        {
            // RFC 9260 §6.5: acknowledge the TSN, report Invalid Stream Identifier, discard the data.
            Span<byte> info = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(info, streamId);
            byte[] cause = new byte[8];
            SctpParameter.Write(cause, (ushort)SctpErrorCause.InvalidStreamIdentifier, info);
            QueueControl(SctpChunkType.Error, 0, cause);
            return TsnVerdict.Discard;
        }

        return TsnVerdict.Accept;
    }

    /// <summary>Handles one DATA chunk (RFC 9260 §6.2); false when the association was aborted.</summary>
    private bool HandleData(DataChunk data, TimeSpan now)
    {
        _ = now;
        TsnVerdict verdict = AcceptTsn(data.Tsn, data.StreamId, data.UserData.Length, data.Immediate, out long t);
        if (verdict != TsnVerdict.Accept)
        {
            return verdict != TsnVerdict.Aborted;
        }

        int length = data.UserData.Length;
        if (t == _assemblyNextTsn)
        {
            // The TSN the message being assembled needs next (RFC 9260 §6.9: a message's fragments have consecutive TSNs).
            if (!data.Beginning && IsAssemblyContinuation(data.StreamId, data.StreamSequence, data.Flags))
            {
                _bufferedBytes += length;
                return AppendToAssembly(data.UserData, data.Ending) && DrainIntoAssembly();
            }

            // Something else took that TSN: the message cannot complete.
            DropAssembly();
        }

        if (data.Beginning && data.Ending)
        {
            OnMessageComplete(data.StreamId, data.StreamSequence, data.PayloadProtocol, data.Unordered, Rent(data.UserData), length);
            return true;
        }

        if (data.Beginning && _assemblyNextTsn < 0)
        {
            // The first fragment of a message while none is being assembled: later fragments that arrive in TSN order
            // are copied straight behind it, so in-order reception keeps no per-fragment buffers.
            _assemblyStream = data.StreamId;
            _assemblySsn = data.StreamSequence;
            _assemblyPpid = data.PayloadProtocol;
            _assemblyUnordered = data.Unordered;
            _assemblyLength = 0;
            _assembly = ArrayPool<byte>.Shared.Rent(Math.Max(4 * length, 4096));
            _assemblyNextTsn = t;
            _bufferedBytes += length;
            return AppendToAssembly(data.UserData, ending: false) && DrainIntoAssembly();
        }

        var chunk = new InboundChunk(t, data.StreamId, data.StreamSequence, data.PayloadProtocol, data.Flags, Rent(data.UserData), length);
        _bufferedBytes += length;
        _fragments[t] = chunk;
        return TryReassemble(chunk);
    }

    private bool IsAssemblyContinuation(ushort streamId, ushort ssn, byte flags)
    {
        bool unordered = (flags & DataChunk.UnorderedFlag) != 0;
        return streamId == _assemblyStream && unordered == _assemblyUnordered && (unordered || ssn == _assemblySsn);
    }

    /// <summary>
    /// Appends the fragment at <see cref="_assemblyNextTsn"/> (its bytes already counted in the receive buffer) and
    /// delivers the message on its last fragment; false when the message outgrew the maximum message size (aborted).
    /// </summary>
    private bool AppendToAssembly(ReadOnlySpan<byte> fragment, bool ending)
    {
        int total = _assemblyLength + fragment.Length;
        if (total > _options.MaxMessageSize)
        {
            DropAssembly();
            AbortForViolation(SctpErrorCause.ProtocolViolation, "message larger than the maximum message size");
            return false;
        }

        if (total > _assembly!.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(total, 2 * _assembly.Length));
            _assembly.AsSpan(0, _assemblyLength).CopyTo(bigger);
            Return(_assembly);
            _assembly = bigger;
        }

        fragment.CopyTo(_assembly.AsSpan(_assemblyLength));
        _assemblyLength = total;
        _assemblyNextTsn++;
        if (ending)
        {
            byte[] message = _assembly;
            _assembly = null;
            _assemblyNextTsn = -1;
            _bufferedBytes -= total;
            OnMessageComplete(_assemblyStream, _assemblySsn, _assemblyPpid, _assemblyUnordered, message, total);
        }

        return true;
    }

    /// <summary>Moves fragments that arrived early (held by TSN) into the message being assembled once the gap before them fills.</summary>
    private bool DrainIntoAssembly()
    {
        while (_assemblyNextTsn >= 0 && _fragments.Remove(_assemblyNextTsn, out InboundChunk f))
        {
            if (f.Beginning || !IsAssemblyContinuation(f.StreamId, f.Ssn, f.Flags))
            {
                _fragments[f.Tsn] = f;
                DropAssembly();
                return TryReassemble(f);
            }

            bool ok = AppendToAssembly(f.Data.AsSpan(0, f.Length), f.Ending);
            Return(f.Data);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private void DropAssembly()
    {
        if (_assembly is not null)
        {
            _bufferedBytes -= _assemblyLength;
            Return(_assembly);
            _assembly = null;
        }

        _assemblyNextTsn = -1;
    }

    /// <summary>A copy of received bytes in a buffer rented from the shared pool (returned when the message is read or dropped).</summary>
    private static byte[] Rent(ReadOnlySpan<byte> bytes)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(buffer);
        return buffer;
    }

    private static void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);

    private void MarkReceived(long t)
    {
        if (t > _highestReceived)
        {
            _highestReceived = t;
        }

        if (t == _peerCumTsn + 1)
        {
            _peerCumTsn = t;
            while (_receivedAbove.Count > 0 && _receivedAbove.Min == _peerCumTsn + 1)
            {
                _peerCumTsn++;
                _receivedAbove.Remove(_peerCumTsn);
            }
        }
        else
        {
            _receivedAbove.Add(t);
        }
    }

    /// <summary>Completes the message <paramref name="chunk"/> belongs to when all its fragments are here; false when aborted.</summary>
    private bool TryReassemble(InboundChunk chunk)
    {
        // Fragments of one message have consecutive TSNs (RFC 9260 §6.9). Walk forward to the E fragment,
        // then back to the B fragment; in-order arrival stops at once on the missing next TSN.
        long end = chunk.Tsn;
        InboundChunk e = chunk;
        while (!e.Ending)
        {
            if (!_fragments.TryGetValue(end + 1, out InboundChunk next) || !SameMessage(chunk, next) || next.Beginning)
            {
                return true;
            }

            end++;
            e = next;
        }

        long start = chunk.Tsn;
        InboundChunk s = chunk;
        int total = 0;
        for (long i = chunk.Tsn; i <= end; i++)
        {
            total += _fragments[i].Length;
        }

        while (!s.Beginning)
        {
            if (!_fragments.TryGetValue(start - 1, out InboundChunk previous) || !SameMessage(chunk, previous) || previous.Ending)
            {
                return CheckPartialSize(total);
            }

            start--;
            s = previous;
            total += s.Length;
            if (total > _options.MaxMessageSize)
            {
                AbortForViolation(SctpErrorCause.ProtocolViolation, "message larger than the maximum message size");
                return false;
            }
        }

        if (total > _options.MaxMessageSize)
        {
            AbortForViolation(SctpErrorCause.ProtocolViolation, "message larger than the maximum message size");
            return false;
        }

        byte[] message = ArrayPool<byte>.Shared.Rent(total);
        int offset = 0;
        for (long i = start; i <= end; i++)
        {
            _fragments.Remove(i, out InboundChunk f);
            f.Data.AsSpan(0, f.Length).CopyTo(message.AsSpan(offset));
            offset += f.Length;
            Return(f.Data);
        }

        _bufferedBytes -= total;
        OnMessageComplete(s.StreamId, s.Ssn, s.Ppid, s.Unordered, message, total);
        return true;
    }

    private bool CheckPartialSize(int total)
    {
        if (total > _options.MaxMessageSize)
        {
            AbortForViolation(SctpErrorCause.ProtocolViolation, "message larger than the maximum message size");
            return false;
        }

        return true;
    }

    private static bool SameMessage(in InboundChunk a, in InboundChunk b) =>
        a.StreamId == b.StreamId && a.Unordered == b.Unordered && (a.Unordered || a.Ssn == b.Ssn);

    /// <summary>A complete DATA message (in a rented <paramref name="message"/> buffer): delivered, held for its turn, or dropped as stale.</summary>
    private void OnMessageComplete(ushort streamId, ushort ssn, uint ppid, bool unordered, byte[] message, int length)
    {
        if (unordered)
        {
            DeliverMessage(streamId, ppid, true, message, length);
            return;
        }

        InboundStream stream = GetInbound(streamId);
        short ahead = (short)(ushort)(ssn - stream.NextSsn);
        if (ahead < 0)
        {
            // Already delivered or skipped by FORWARD TSN: a stale copy.
            Return(message);
            return;
        }

        if (ahead > 0)
        {
            if (stream.Pending.TryAdd(ssn, new InboundMessage(ppid, message, length)))
            {
                _bufferedBytes += length;
            }
            else
            {
                Return(message);
            }

            return;
        }

        DeliverMessage(streamId, ppid, false, message, length);
        stream.NextSsn++;
        DeliverPending(streamId, stream);
    }

    private void DeliverPending(ushort streamId, InboundStream stream)
    {
        while (stream.Pending.Remove(stream.NextSsn, out InboundMessage m))
        {
            _bufferedBytes -= m.Length;
            DeliverMessage(streamId, m.Ppid, false, m.Data, m.Length);
            stream.NextSsn++;
        }
    }

    private InboundStream GetInbound(ushort streamId)
    {
        if (!_inbound.TryGetValue(streamId, out InboundStream? stream))
        {
            stream = new InboundStream();
            _inbound[streamId] = stream;
        }

        return stream;
    }

    /// <summary>RFC 3758 §3.6: move the cumulative TSN, drop what it skips, and release the ordered streams it names.</summary>
    private void HandleForwardTsn(ForwardTsnChunk forward)
    {
        long newCum = Unwrap(forward.NewCumulativeTsn, _peerCumTsn);
        if (!AdvanceCumulativeTsn(newCum))
        {
            return;
        }

        if (_assemblyNextTsn >= 0 && _assemblyNextTsn <= newCum)
        {
            // The fragment the assembled message needs next was skipped: the message was abandoned (§3.5).
            DropAssembly();
        }

        if (_fragments.Count > 0)
        {
            List<long> stale = _tsnScratch;
            stale.Clear();
            foreach (long t in _fragments.Keys)
            {
                if (t <= newCum)
                {
                    stale.Add(t);
                }
            }

            foreach (long t in stale)
            {
                _fragments.Remove(t, out InboundChunk f);
                _bufferedBytes -= f.Length;
                Return(f.Data);
            }
        }

        for (int i = 0; i < forward.StreamCount; i++)
        {
            (ushort streamId, ushort ssn) = forward.GetStream(i);
            if (streamId >= _inboundStreams)
            {
                continue;
            }

            InboundStream stream = GetInbound(streamId);
            ushort skip = (ushort)(ssn - stream.NextSsn);
            if ((short)skip < 0)
            {
                // Behind the next expected SSN: already delivered or skipped.
                continue;
            }

            // Deliver the complete messages before the skipped SSN in SSN order, then step past it. The pending set,
            // not the SSN distance, bounds the work: a hostile entry may name an SSN up to 32,767 ahead, and one chunk
            // may carry thousands of entries.
            if (stream.Pending.Count > 0)
            {
                List<ushort> before = _ssnScratch;
                before.Clear();
                foreach (ushort pending in stream.Pending.Keys)
                {
                    ushort distance = (ushort)(pending - stream.NextSsn);
                    if (distance <= skip)
                    {
                        before.Add(distance);
                    }
                }

                before.Sort();
                foreach (ushort distance in before)
                {
                    stream.Pending.Remove((ushort)(stream.NextSsn + distance), out InboundMessage m);
                    _bufferedBytes -= m.Length;
                    DeliverMessage(streamId, m.Ppid, false, m.Data, m.Length);
                }
            }

            stream.NextSsn = (ushort)(ssn + 1);
            DeliverPending(streamId, stream);
        }
    }

    /// <summary>The receiver side of FORWARD TSN and I-FORWARD-TSN: move the cumulative TSN; false when it does not move.</summary>
    private bool AdvanceCumulativeTsn(long newCum)
    {
        _sackPending = true;
        _sackImmediate = true;
        if (newCum <= _peerCumTsn || newCum - _peerCumTsn > MaxTsnAhead)
        {
            return false;
        }

        _peerCumTsn = newCum;
        if (newCum > _highestReceived)
        {
            _highestReceived = newCum;
        }

        while (_receivedAbove.Count > 0 && _receivedAbove.Min <= _peerCumTsn + 1)
        {
            long m = _receivedAbove.Min;
            _receivedAbove.Remove(m);
            if (m == _peerCumTsn + 1)
            {
                _peerCumTsn = m;
            }
        }

        return true;
    }

    private void AfterDataReceived(TimeSpan now)
    {
        _packetsSinceSack++;
        // RFC 9260 §6.2: SACK at least every second packet with DATA, at once on gaps (§6.7) and duplicates,
        // also when a packet fills the last gap, otherwise within the delayed-ack time; in SHUTDOWN-SENT every DATA gets a SACK and a SHUTDOWN (§9.2).
        if (_packetsSinceSack >= 2 || _receivedAbove.Count > 0 || _gapsBeforePacket)
        {
            _sackImmediate = true;
        }

        if (State == SctpAssociationState.ShutdownSent)
        {
            _sackImmediate = true;
            QueueShutdown();
            _t2 = now + _rto.Rto;
        }

        if (_sackPending && !_sackImmediate && _delayedAckAt is null)
        {
            _delayedAckAt = now + _options.DelayedAckTimeout;
        }
    }

    private bool TryWriteSack(ref SctpPacketWriter writer)
    {
        Span<(ushort, ushort)> gaps = stackalloc (ushort, ushort)[MaxGapBlocksReported];
        int n = _receivedAbove.Count == 0 ? 0 : CollectGapBlocks(gaps);
        Span<uint> dups = stackalloc uint[MaxDuplicatesReported];
        int d = Math.Min(_duplicates.Count, MaxDuplicatesReported);
        for (int i = 0; i < d; i++)
        {
            dups[i] = _duplicates[i];
        }

        if (!writer.TryWriteSack((uint)_peerCumTsn, AdvertisedWindow, gaps[..n], dups[..d]))
        {
            return false;
        }

        _duplicates.Clear();
        _sackPending = false;
        _sackImmediate = false;
        _packetsSinceSack = 0;
        _delayedAckAt = null;
        Statistics.SacksSent++;
        return true;
    }

    /// <summary>
    /// The gap ack blocks (RFC 9260 §3.3.4) of the TSNs received above the cumulative TSN. Only called when there are
    /// some: enumerating a SortedSet allocates, which the loss-free path must not.
    /// </summary>
    private int CollectGapBlocks(Span<(ushort, ushort)> gaps)
    {
        int n = 0;
        long runStart = -1;
        long runEnd = -1;
        foreach (long t in _receivedAbove)
        {
            if (t - _peerCumTsn > ushort.MaxValue)
            {
                break;
            }

            if (runStart >= 0 && t == runEnd + 1)
            {
                runEnd = t;
                continue;
            }

            if (runStart >= 0)
            {
                gaps[n++] = ((ushort)(runStart - _peerCumTsn), (ushort)(runEnd - _peerCumTsn));
                if (n == gaps.Length)
                {
                    return n;
                }
            }

            runStart = runEnd = t;
        }

        if (runStart >= 0)
        {
            gaps[n++] = ((ushort)(runStart - _peerCumTsn), (ushort)(runEnd - _peerCumTsn));
        }

        return n;
    }

    /// <summary>A received DATA fragment waiting for the rest of its message; <see cref="Data"/> is rented, <see cref="Length"/> bytes used.</summary>
    private readonly record struct InboundChunk(long Tsn, ushort StreamId, ushort Ssn, uint Ppid, byte Flags, byte[] Data, int Length)
    {
        public bool Beginning => (Flags & DataChunk.BeginningFlag) != 0;

        public bool Ending => (Flags & DataChunk.EndingFlag) != 0;

        public bool Unordered => (Flags & DataChunk.UnorderedFlag) != 0;
    }

    /// <summary>A complete message waiting for its turn; <see cref="Data"/> is rented, <see cref="Length"/> bytes used.</summary>
    private readonly record struct InboundMessage(uint Ppid, byte[] Data, int Length);

    private sealed class InboundStream
    {
        public ushort NextSsn { get; set; }

        public Dictionary<ushort, InboundMessage> Pending { get; } = new();

        /// <summary>Gets or sets the next ordered MID to deliver under I-DATA (RFC 8260 §2.1).</summary>
        public uint NextMid { get; set; }

        /// <summary>Gets complete ordered I-DATA messages waiting for earlier MIDs.</summary>
        public Dictionary<uint, InboundMessage> PendingByMid { get; } = new();
    }
}
