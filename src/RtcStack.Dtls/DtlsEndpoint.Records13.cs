using RtcStack.Dtls.Crypto;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;

namespace RtcStack.Dtls;

/// <summary>
/// The DTLS 1.3 record layer (RFC 9147 §4, §6, §7): epochs 2 (handshake) and 3+ (application)
/// with the unified header and encrypted record numbers, a replay window and sequence number
/// reconstruction per epoch, flights written as records the peer can acknowledge, ACKs sent and
/// received, and selective retransmission of only the fragments not yet acknowledged.
/// </summary>
public sealed partial class DtlsEndpoint
{
    private const int MaxAckEntries = 32;

    private readonly Dictionary<ulong, Epoch13> _read13 = [];
    private readonly Dictionary<ulong, Epoch13> _write13 = [];

    // Records of the peer's current flight (for our ACK), and what each record we sent carried.
    private readonly List<(ulong Epoch, ulong Sequence)> _received13 = [];
    private readonly List<SentRecord13> _sent13 = [];
    private readonly List<bool[]> _flightAcked13 = [];
    private ulong _writeEpoch13;
    private bool _retryFutureRecords;
    private bool _ackDue13;
    private bool _retryingFutureRecords;

    private static int PlaintextOverhead => DtlsRecord.HeaderLength;

    private void ProcessRecord13(in Dtls13Record record, ReadOnlySpan<byte> raw, TimeSpan now)
    {
        // RFC 9147 §4.2.2: the epoch bits pick the epoch; during the handshake they are unambiguous,
        // afterwards the most recent epoch with matching bits wins (we keep at most two read epochs).
        Epoch13? epoch = null;
        ulong epochNumber = 0;
        foreach ((ulong number, Epoch13 state) in _read13)
        {
            if ((int)(number & 3) == record.EpochBits && (epoch is null || number > epochNumber))
            {
                epoch = state;
                epochNumber = number;
            }
        }

        if (epoch is null)
        {
            // A record of an epoch whose keys are not installed yet (the server's epoch-2 records overtaking
            // its ServerHello): keep a few, bounded, and retry them once the epoch exists (RFC 9147 §4.2.1).
            if (State == DtlsState.Handshaking && _futureRecords.Count < MaxBufferedFutureRecords)
            {
                _futureRecords.Add(raw.ToArray());
            }
            else
            {
                DtlsMetrics.DroppedRecords.Add(1, new KeyValuePair<string, object?>("reason", "epoch"));
            }

            return;
        }

        ulong seq = epoch.Protection.DecryptSequenceNumber(record, epoch.HasReceived ? epoch.Highest + 1 : 0);
        if (!epoch.Replay.IsFresh(seq))
        {
            DtlsMetrics.DroppedRecords.Add(1, new KeyValuePair<string, object?>("reason", "replay"));
            return;
        }

        if (!epoch.Protection.TryDecrypt(record, seq, _plaintext, out ContentType type, out int length) || length > 1 << 14)
        {
            // RFC 9147 §4.5.2: invalid records are silently discarded.
            DtlsMetrics.DroppedRecords.Add(1, new KeyValuePair<string, object?>("reason", "auth"));
            return;
        }

        // RFC 9147 §4.5.1: the window moves only for records that deprotected.
        epoch.Replay.Mark(seq);
        if (!epoch.HasReceived || seq > epoch.Highest)
        {
            epoch.Highest = seq;
        }

        epoch.HasReceived = true;
        ReadOnlySpan<byte> plaintext = _plaintext.AsSpan(0, length);
        switch (type)
        {
            case ContentType.Handshake:
                NoteReceived13(epochNumber, seq);

                // RFC 9147 §5.2 messages carry the same fragment header as 1.2; epochs above 65535
                // never occur here (KeyUpdate would need 65533 updates).
                ProcessHandshakeRecord(plaintext.ToArray(), (ushort)Math.Min(epochNumber, ushort.MaxValue), seq, now);
                break;
            case ContentType.Alert:
                ProcessAlert(plaintext, (ushort)Math.Min(epochNumber, ushort.MaxValue));
                break;
            case ContentType.Ack:
                OnAck13(plaintext, now);
                break;
            case ContentType.ApplicationData:
                // RFC 8446 §2: application data only under application traffic keys, once connected.
                if (State == DtlsState.Connected && epochNumber >= 3)
                {
                    _events.Enqueue(new DtlsApplicationDataEvent(plaintext.ToArray()));
                }

                break;
            default:
                // RFC 9147 §4.1 figure 5: any other decrypted content type is an error; drop it.
                break;
        }
    }

    private void NoteReceived13(ulong epoch, ulong seq)
    {
        if (_received13.Count >= MaxAckEntries)
        {
            _received13.RemoveAt(0);
        }

        _received13.Add((epoch, seq));
    }

    private void InstallRead13(ulong epoch, byte[] trafficSecret, TimeSpan now)
    {
        (byte[] key, byte[] iv, byte[] sn) = _ks!.TrafficKeys(trafficSecret, Tls13KeyLength);
        _read13[epoch] = new Epoch13(new Dtls13RecordProtection(key, iv, sn));

        // Keep the previous epoch for reordered records (RFC 9147 §4.2.1), nothing older.
        var stale = new List<ulong>();
        foreach (ulong e in _read13.Keys)
        {
            if (e + 1 < epoch && e >= 3)
            {
                stale.Add(e);
            }
        }

        foreach (ulong e in stale)
        {
            _read13[e].Protection.Dispose();
            _read13.Remove(e);
        }

        // Buffered records of this epoch are retried once the current datagram is done, so that
        // the message that installed the keys finishes first.
        _retryFutureRecords = _futureRecords.Count > 0;
    }

    /// <summary>Feeds records that waited for an epoch's keys (RFC 9147 §4.2.1) back in, after the datagram that installed them.</summary>
    private void RetryFutureRecords13(TimeSpan now)
    {
        if (_retryingFutureRecords)
        {
            return;
        }

        _retryingFutureRecords = true;
        while (_retryFutureRecords)
        {
            _retryFutureRecords = false;
            byte[][] pending = [.. _futureRecords];
            _futureRecords.Clear();
            foreach (byte[] raw in pending)
            {
                HandleDatagram(raw, now);
            }
        }

        _retryingFutureRecords = false;
    }

    private void InstallWrite13(ulong epoch, byte[] trafficSecret)
    {
        (byte[] key, byte[] iv, byte[] sn) = _ks!.TrafficKeys(trafficSecret, Tls13KeyLength);
        if (_write13.Remove(epoch, out Epoch13? old))
        {
            old.Protection.Dispose();
        }

        _write13[epoch] = new Epoch13(new Dtls13RecordProtection(key, iv, sn));
    }

    private int WriteRecord13(Span<byte> destination, ulong epoch, ContentType type, ReadOnlySpan<byte> content, out ulong seq)
    {
        Epoch13 w = _write13[epoch];
        seq = w.NextSequence++;
        return w.Protection.Write(destination, epoch, seq, type, content);
    }

    /// <summary>One record of <paramref name="type"/> in the current write epoch (plaintext before epoch 2 exists).</summary>
    private void SendRecord13(ContentType type, ReadOnlySpan<byte> content)
    {
        if (_writeEpoch13 < 2)
        {
            var plain = new byte[DtlsRecord.HeaderLength + content.Length];
            int n = WriteRecord(plain, type, 0, content);
            _transmit.Enqueue(plain.AsMemory(0, n));
            return;
        }

        var datagram = new byte[content.Length + Dtls13RecordProtection.Overhead];
        int length = WriteRecord13(datagram, _writeEpoch13, type, content, out _);
        _transmit.Enqueue(datagram.AsMemory(0, length));
    }

    private void QueueAck13() => _ackDue13 = true;

    /// <summary>RFC 9147 §7: acknowledges the peer's records we hold (at most the last 32), in our current epoch.</summary>
    private void SendAck13()
    {
        if (_received13.Count == 0 || _writeEpoch13 < 2)
        {
            return;
        }

        byte[] body = AckMessage.Build(_received13, MaxAckEntries);
        SendRecord13(ContentType.Ack, body);
    }

    private void OnAck13(ReadOnlySpan<byte> body, TimeSpan now)
    {
        if (!AckMessage.TryParse(body, out List<(ulong Epoch, ulong Sequence)> records) || _flight.Count == 0)
        {
            return;
        }

        EnsureAckState13();
        bool any = false;
        foreach ((ulong epoch, ulong seq) in records)
        {
            foreach (SentRecord13 s in _sent13)
            {
                if (s.Epoch == epoch && s.Sequence == seq)
                {
                    bool[] acked = _flightAcked13[s.Message];
                    Array.Fill(acked, true, s.Offset, s.Length);
                    if (s.Length == 0)
                    {
                        _emptyAcked13.Add(s.Message);
                    }

                    any = true;
                }
            }
        }

        if (!any)
        {
            return;
        }

        if (FlightFullyAcked13())
        {
            // RFC 9147 §7.1: a fully acknowledged flight needs no more retransmission.
            _retransmitAt = null;
            OnFlightAcked13(now);
            return;
        }

        // RFC 9147 §7.1: an ACK that leaves records unacknowledged shows a gap: resend only those now.
        if (_lastRetransmitOnOld is TimeSpan last && now - last < _options.InitialRetransmitTimeout / 4)
        {
            return;
        }

        _lastRetransmitOnOld = now;
        TransmitFlight13();
        DtlsMetrics.Retransmissions.Add(1);
    }

    private readonly HashSet<int> _emptyAcked13 = [];

    private void EnsureAckState13()
    {
        if (_flightAcked13.Count != _flight.Count)
        {
            _flightAcked13.Clear();
            _emptyAcked13.Clear();
            foreach (FlightMessage m in _flight)
            {
                _flightAcked13.Add(new bool[m.Body.Length]);
            }
        }
    }

    private bool FlightFullyAcked13()
    {
        for (int i = 0; i < _flight.Count; i++)
        {
            bool[] acked = _flightAcked13[i];
            if (acked.Length == 0 ? !_emptyAcked13.Contains(i) : Array.IndexOf(acked, false) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// RFC 9147 §5.8 / §7: writes our flight as records, skipping every byte range the peer has
    /// acknowledged, and remembers which message range each record carried so an ACK can be mapped
    /// back. Epoch-0 messages use the DTLSPlaintext header, later ones the unified header.
    /// </summary>
    private void TransmitFlight13()
    {
        EnsureAckState13();
        int mtu = _options.Mtu;
        byte[] datagram = new byte[mtu];
        byte[] scratch = new byte[mtu];
        int used = 0;
        for (int index = 0; index < _flight.Count; index++)
        {
            FlightMessage m = _flight[index];
            bool[] acked = _flightAcked13[index];
            int overhead = m.Epoch == 0 ? PlaintextOverhead : Dtls13RecordProtection.Overhead;
            if (m.Body.Length == 0)
            {
                if (!_emptyAcked13.Contains(index))
                {
                    WriteFragment(index, m, 0, 0, ref datagram, ref used);
                }

                continue;
            }

            int offset = 0;
            while (offset < m.Body.Length)
            {
                if (acked[offset])
                {
                    offset++;
                    continue;
                }

                int end = offset;
                while (end < m.Body.Length && !acked[end])
                {
                    end++;
                }

                // Send [offset, end) in fragments that fit.
                while (offset < end)
                {
                    int room = mtu - used - overhead - HandshakeFragment.HeaderLength;
                    int remaining = end - offset;
                    if (room < Math.Min(remaining, 64) || room <= 0)
                    {
                        Flush(ref datagram, ref used);
                        room = mtu - overhead - HandshakeFragment.HeaderLength;
                    }

                    int n = Math.Min(remaining, room);
                    WriteFragment(index, m, offset, n, ref datagram, ref used);
                    offset += n;
                }
            }
        }

        Flush(ref datagram, ref used);

        void WriteFragment(int index, FlightMessage m, int offset, int n, ref byte[] buffer, ref int length)
        {
            int overhead = m.Epoch == 0 ? PlaintextOverhead : Dtls13RecordProtection.Overhead;
            if (length + overhead + HandshakeFragment.HeaderLength + n > mtu)
            {
                Flush(ref buffer, ref length);
            }

            Span<byte> payload = scratch.AsSpan(0, HandshakeFragment.HeaderLength + n);
            HandshakeFragment.WriteHeader(payload, m.HandshakeType, m.Body.Length, m.MessageSeq, offset, n);
            m.Body.AsSpan(offset, n).CopyTo(payload[HandshakeFragment.HeaderLength..]);
            ulong seq;
            if (m.Epoch == 0)
            {
                seq = _write[0]!.NextSequence;
                length += WriteRecord(buffer.AsSpan(length), ContentType.Handshake, 0, payload);
            }
            else
            {
                length += WriteRecord13(buffer.AsSpan(length), m.Epoch, ContentType.Handshake, payload, out seq);
            }

            if (_sent13.Count >= 256)
            {
                _sent13.RemoveAt(0);
            }

            _sent13.Add(new SentRecord13(m.Epoch, seq, index, offset, n));
        }

        void Flush(ref byte[] buffer, ref int length)
        {
            if (length > 0)
            {
                _transmit.Enqueue(buffer.AsMemory(0, length));
                buffer = new byte[mtu];
                length = 0;
            }
        }
    }

    private void DisposeRecords13()
    {
        foreach (Epoch13 e in _read13.Values)
        {
            e.Protection.Dispose();
        }

        foreach (Epoch13 e in _write13.Values)
        {
            e.Protection.Dispose();
        }
    }

    private readonly record struct SentRecord13(ulong Epoch, ulong Sequence, int Message, int Offset, int Length);

    /// <summary>RFC 9147 §4.2 / §6.1: per-epoch, per-direction state; sequence numbers restart at 0 in each epoch.</summary>
    private sealed class Epoch13
    {
        public Epoch13(Dtls13RecordProtection protection)
        {
            Protection = protection;
        }

        public Dtls13RecordProtection Protection { get; }

        public ReplayWindow Replay { get; } = new();

        public ulong NextSequence { get; set; }

        public ulong Highest { get; set; }

        public bool HasReceived { get; set; }
    }
}
