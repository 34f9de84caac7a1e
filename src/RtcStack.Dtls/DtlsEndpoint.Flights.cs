using Microsoft.Extensions.Logging;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;

namespace RtcStack.Dtls;

/// <summary>
/// RFC 6347 §4.2.4 flights: the messages of our current flight are kept whole and re-sent
/// together on timeout; RFC 6347 §4.2.3: each handshake message is cut into fragments that fit
/// the MTU, and records are packed into datagrams up to the MTU.
/// </summary>
public sealed partial class DtlsEndpoint
{
    private readonly List<FlightMessage> _flight = [];
    private int _sendMessageSeq;
    private TimeSpan _flightDeadline;

    private void BeginFlight()
    {
        _flight.Clear();
        _flightAcked13.Clear();
        _emptyAcked13.Clear();
        _sent13.Clear();
    }

    private void AddHandshakeToFlight(HandshakeType type, byte[] body, ushort epoch, bool addToTranscript = true)
    {
        int seq = _sendMessageSeq++;
        _flight.Add(new FlightMessage(ContentType.Handshake, type, seq, epoch, body));
        if (addToTranscript)
        {
            AppendTranscript(type, seq, body);
        }
    }

    private void AddChangeCipherSpecToFlight(ushort epoch) =>
        _flight.Add(new FlightMessage(ContentType.ChangeCipherSpec, default, 0, epoch, [1]));

    /// <summary>Sends the flight; when <paramref name="expectReply"/>, arms the retransmission timer (RFC 6347 §4.2.4 "WAITING").</summary>
    private void EndFlight(TimeSpan now, bool expectReply)
    {
        _retransmitTimeout = _options.InitialRetransmitTimeout;
        _flightDeadline = now + _options.HandshakeTimeout;
        _logger.LogDebug("DTLS {Role} at {Now}: flight of {Count} messages sent", Role, now, _flight.Count);
        TransmitFlight();
        _retransmitAt = expectReply ? now + _retransmitTimeout : null;
    }

    private void TransmitFlight()
    {
        if (_v13 || _offered13)
        {
            TransmitFlight13();
            return;
        }

        TransmitFlight12();
    }

    private void TransmitFlight12()
    {
        int mtu = _options.Mtu;
        byte[] datagram = new byte[mtu];
        byte[] scratch = new byte[mtu];
        int used = 0;
        foreach (FlightMessage m in _flight)
        {
            int overhead = DtlsRecord.HeaderLength + _write[m.Epoch]!.Protection.Overhead;
            if (m.Type == ContentType.ChangeCipherSpec)
            {
                if (used + overhead + 1 > mtu)
                {
                    Flush(ref datagram, ref used);
                }

                used += WriteRecord(datagram.AsSpan(used), ContentType.ChangeCipherSpec, m.Epoch, m.Body);
                continue;
            }

            int offset = 0;
            do
            {
                int room = mtu - used - overhead - HandshakeFragment.HeaderLength;
                int remaining = m.Body.Length - offset;

                // Start a new datagram rather than send a sliver of a message.
                if (room < Math.Min(remaining, 64) || room <= 0)
                {
                    Flush(ref datagram, ref used);
                    room = mtu - overhead - HandshakeFragment.HeaderLength;
                }

                int n = Math.Min(remaining, room);
                Span<byte> payload = scratch.AsSpan(0, HandshakeFragment.HeaderLength + n);
                HandshakeFragment.WriteHeader(payload, m.HandshakeType, m.Body.Length, m.MessageSeq, offset, n);
                m.Body.AsSpan(offset, n).CopyTo(payload[HandshakeFragment.HeaderLength..]);
                used += WriteRecord(datagram.AsSpan(used), ContentType.Handshake, m.Epoch, payload);
                offset += n;
            }
            while (offset < m.Body.Length);
        }

        Flush(ref datagram, ref used);

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

    private sealed record FlightMessage(ContentType Type, HandshakeType HandshakeType, int MessageSeq, ushort Epoch, byte[] Body);
}
