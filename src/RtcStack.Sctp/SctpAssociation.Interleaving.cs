using System.Buffers;
using RtcStack.Sctp.Packets;

namespace RtcStack.Sctp;

/// <summary>The receiver side of user message interleaving (RFC 8260 §2): I-DATA reassembly and I-FORWARD-TSN.</summary>
public sealed partial class SctpAssociation
{
    private readonly Dictionary<(ushort StreamId, bool Unordered, uint Mid), Reassembly> _reassembly = new();
    private readonly List<(ushort StreamId, bool Unordered, uint Mid)> _reassemblyScratch = new();
    private readonly List<uint> _midScratch = new();
    private readonly Stack<Reassembly> _spareReassemblies = new();

    /// <summary>
    /// Handles one I-DATA chunk (RFC 8260 §2.2.3): the TSN as for DATA, then the fragment goes to the message named by
    /// (stream, U, MID) at its FSN, so fragments of messages on different streams may interleave; complete messages are
    /// delivered, ordered ones in MID order per stream. False when the association was aborted.
    /// </summary>
    private bool HandleIData(IDataChunk data, TimeSpan now)
    {
        _ = now;
        TsnVerdict verdict = AcceptTsn(data.Tsn, data.StreamId, data.UserData.Length, (data.Flags & DataChunk.ImmediateFlag) != 0, out long t);
        if (verdict != TsnVerdict.Accept)
        {
            return verdict != TsnVerdict.Aborted;
        }

        _ = t;
        bool unordered = data.Unordered;
        uint mid = data.MessageId;
        if (!unordered && (int)(mid - GetInbound(data.StreamId).NextMid) < 0)
        {
            // A fragment of a message already delivered or skipped by I-FORWARD-TSN.
            return true;
        }

        if (data.Beginning && data.Ending)
        {
            return OnIMessageComplete(data.StreamId, unordered, mid, data.PayloadProtocol, Rent(data.UserData), data.UserData.Length);
        }

        var key = (data.StreamId, unordered, mid);
        if (!_reassembly.TryGetValue(key, out Reassembly? r))
        {
            r = _spareReassemblies.TryPop(out Reassembly? spare) ? spare : new Reassembly();
            _reassembly[key] = r;
        }

        uint fsn = data.FragmentSequence;
        if (data.Ending)
        {
            if (r.LastFsn is uint known && known != fsn)
            {
                AbortForViolation(SctpErrorCause.ProtocolViolation, "two last fragments of one I-DATA message");
                return false;
            }

            r.LastFsn = fsn;
        }

        if (r.LastFsn is uint lastFsn && (fsn > lastFsn || r.MaxFsn > lastFsn))
        {
            AbortForViolation(SctpErrorCause.ProtocolViolation, "I-DATA fragment after the last one of its message");
            return false;
        }

        if (fsn < r.NextFsn || r.Early.ContainsKey(fsn))
        {
            // The same fragment under another TSN: keep the first.
            return true;
        }

        int length = data.UserData.Length;
        r.Bytes += length;
        _bufferedBytes += length;
        if (r.Bytes > _options.MaxMessageSize)
        {
            AbortForViolation(SctpErrorCause.ProtocolViolation, "message larger than the maximum message size");
            return false;
        }

        if (data.Beginning)
        {
            r.Ppid = data.PayloadProtocol;
        }

        r.MaxFsn = Math.Max(r.MaxFsn, fsn);
        if (fsn == r.NextFsn)
        {
            // In FSN order: straight behind the fragments before it, then whatever arrived early and now follows.
            r.Append(data.UserData);
            while (r.Early.Remove((uint)r.NextFsn, out (byte[] Buffer, int Length) early))
            {
                r.Append(early.Buffer.AsSpan(0, early.Length));
                Return(early.Buffer);
            }
        }
        else
        {
            r.Early.Add(fsn, (Rent(data.UserData), length));
        }

        if (r.LastFsn is not uint end || r.NextFsn != (long)end + 1)
        {
            return true;
        }

        // All fragments 0..end are in the buffer, in FSN order.
        int total = r.Bytes;
        byte[] message = r.TakeBuffer();
        _reassembly.Remove(key);
        _bufferedBytes -= total;
        uint ppid = r.Ppid;
        Recycle(r);
        return OnIMessageComplete(data.StreamId, unordered, mid, ppid, message, total);
    }

    /// <summary>Returns a reassembly's fragment buffers to the pool and keeps the record for reuse.</summary>
    private void Recycle(Reassembly r)
    {
        foreach ((byte[] piece, int _) in r.Early.Values)
        {
            Return(piece);
        }

        r.Early.Clear();
        if (r.Buffer is not null)
        {
            Return(r.TakeBuffer());
        }

        r.Ppid = 0;
        r.LastFsn = null;
        r.MaxFsn = 0;
        r.Bytes = 0;
        r.NextFsn = 0;
        if (_spareReassemblies.Count < 64)
        {
            _spareReassemblies.Push(r);
        }
    }

    /// <summary>Delivers a complete I-DATA message (in a rented buffer): unordered at once, ordered when its MID is the stream's next (RFC 8260 §2.2.3).</summary>
    private bool OnIMessageComplete(ushort streamId, bool unordered, uint mid, uint ppid, byte[] message, int length)
    {
        if (unordered)
        {
            DeliverMessage(streamId, ppid, true, message, length);
            return true;
        }

        InboundStream stream = GetInbound(streamId);
        int ahead = (int)(mid - stream.NextMid);
        if (ahead < 0)
        {
            Return(message);
            return true;
        }

        if (ahead > 0)
        {
            if (stream.PendingByMid.TryAdd(mid, new InboundMessage(ppid, message, length)))
            {
                _bufferedBytes += length;
            }
            else
            {
                Return(message);
            }

            return true;
        }

        DeliverMessage(streamId, ppid, false, message, length);
        stream.NextMid++;
        DeliverPendingByMid(streamId, stream);
        return true;
    }

    private void DeliverPendingByMid(ushort streamId, InboundStream stream)
    {
        while (stream.PendingByMid.Remove(stream.NextMid, out InboundMessage m))
        {
            _bufferedBytes -= m.Length;
            DeliverMessage(streamId, m.Ppid, false, m.Data, m.Length);
            stream.NextMid++;
        }
    }

    /// <summary>
    /// RFC 8260 §2.3.1 I-FORWARD-TSN: move the cumulative TSN as FORWARD TSN does (RFC 3758 §3.6); then, for each
    /// (stream, U, MID) entry, drop the partial reassembly of every message of that stream and U flag up to the MID and,
    /// for ordered messages, deliver what is complete before it and step past it. TSNs cannot say which fragments to
    /// drop here: with interleaving, fragments of live messages sit below the new cumulative TSN too. The entries are
    /// applied even when the cumulative TSN does not move, since a message abandoned before all its fragments were sent
    /// may have had every sent fragment arrive.
    /// </summary>
    private void HandleIForwardTsn(IForwardTsnChunk forward)
    {
        long newCum = Unwrap(forward.NewCumulativeTsn, _peerCumTsn);
        if (newCum - _peerCumTsn > MaxTsnAhead)
        {
            return;
        }

        AdvanceCumulativeTsn(newCum);
        for (int i = 0; i < forward.EntryCount; i++)
        {
            (ushort streamId, bool unordered, uint mid) = forward.GetEntry(i);
            if (streamId >= _inboundStreams)
            {
                continue;
            }

            DropReassembly(streamId, unordered, mid);
            if (unordered)
            {
                continue;
            }

            InboundStream stream = GetInbound(streamId);
            if ((int)(mid - stream.NextMid) < 0)
            {
                continue;
            }

            // Deliver the complete messages before the skipped MID in MID order, then step past it. The pending set,
            // not the MID distance, bounds the work: a hostile entry may name a MID billions ahead.
            if (stream.PendingByMid.Count > 0)
            {
                List<uint> before = _midScratch;
                before.Clear();
                foreach (uint pending in stream.PendingByMid.Keys)
                {
                    if ((int)(mid - pending) >= 0)
                    {
                        before.Add(pending);
                    }
                }

                // Sorted by distance from the next MID (RFC 1982 order), without a comparer object.
                uint from = stream.NextMid;
                for (int k = 0; k < before.Count; k++)
                {
                    before[k] -= from;
                }

                before.Sort();
                foreach (uint distance in before)
                {
                    stream.PendingByMid.Remove(from + distance, out InboundMessage m);
                    _bufferedBytes -= m.Length;
                    DeliverMessage(streamId, m.Ppid, false, m.Data, m.Length);
                }
            }

            stream.NextMid = mid + 1;
            DeliverPendingByMid(streamId, stream);
        }
    }

    /// <summary>Drops the partial messages of a stream and U flag whose MID is at or before <paramref name="upTo"/> (RFC 1982 order).</summary>
    private void DropReassembly(ushort streamId, bool unordered, uint upTo)
    {
        if (_reassembly.Count == 0)
        {
            return;
        }

        _reassemblyScratch.Clear();
        foreach ((ushort StreamId, bool Unordered, uint Mid) key in _reassembly.Keys)
        {
            if (key.StreamId == streamId && key.Unordered == unordered && (int)(upTo - key.Mid) >= 0)
            {
                _reassemblyScratch.Add(key);
            }
        }

        foreach ((ushort StreamId, bool Unordered, uint Mid) key in _reassemblyScratch)
        {
            _reassembly.Remove(key, out Reassembly? r);
            _bufferedBytes -= r!.Bytes;
            Recycle(r);
        }
    }

    /// <summary>With I-DATA, a stream reset (RFC 6525 §5.2.2) starts the ordered MIDs again at 0 and drops partial ordered messages.</summary>
    private void ResetInboundMids(ushort streamId, InboundStream stream)
    {
        _reassemblyScratch.Clear();
        foreach ((ushort StreamId, bool Unordered, uint Mid) key in _reassembly.Keys)
        {
            if (key.StreamId == streamId)
            {
                _reassemblyScratch.Add(key);
            }
        }

        foreach ((ushort StreamId, bool Unordered, uint Mid) key in _reassemblyScratch)
        {
            _reassembly.Remove(key, out Reassembly? r);
            _bufferedBytes -= r!.Bytes;
            Recycle(r);
        }

        DeliverPendingByMid(streamId, stream);
        foreach (InboundMessage m in stream.PendingByMid.Values)
        {
            _bufferedBytes -= m.Length;
            Return(m.Data);
        }

        stream.PendingByMid.Clear();
        stream.NextMid = 0;
    }

    /// <summary>
    /// The fragments of one I-DATA message received so far (RFC 8260 §2.1): those in FSN order from 0 copied into one
    /// rented buffer that grows by doubling, those that arrived early held by FSN until the gap before them fills.
    /// </summary>
    private sealed class Reassembly
    {
        /// <summary>Gets the fragments after a gap, by FSN, each in a rented buffer of which Length bytes are used.</summary>
        public Dictionary<uint, (byte[] Buffer, int Length)> Early { get; } = new();

        /// <summary>Gets fragments 0 to <see cref="NextFsn"/> - 1, in order (rented).</summary>
        public byte[]? Buffer { get; private set; }

        /// <summary>Gets the bytes used in <see cref="Buffer"/>.</summary>
        public int Length { get; private set; }

        /// <summary>Gets or sets the FSN the buffer needs next.</summary>
        public long NextFsn { get; set; }

        public uint Ppid { get; set; }

        public uint? LastFsn { get; set; }

        public uint MaxFsn { get; set; }

        /// <summary>Gets or sets the bytes of all fragments held (buffer and early ones).</summary>
        public int Bytes { get; set; }

        public void Append(ReadOnlySpan<byte> fragment)
        {
            int total = Length + fragment.Length;
            if (Buffer is null || total > Buffer.Length)
            {
                byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(total, 4096), 2 * (Buffer?.Length ?? 0)));
                if (Buffer is not null)
                {
                    Buffer.AsSpan(0, Length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(Buffer);
                }

                Buffer = bigger;
            }

            fragment.CopyTo(Buffer.AsSpan(Length));
            Length = total;
            NextFsn++;
        }

        /// <summary>Hands the buffer over (to the delivered message or back to the pool) and empties this.</summary>
        public byte[] TakeBuffer()
        {
            byte[] b = Buffer!;
            Buffer = null;
            Length = 0;
            return b;
        }
    }
}
