using System.Buffers.Binary;
using RtcStack.Dtls;
using RtcStack.Stun;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Transport;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// A connected <see cref="WebRtcTransport"/> (ICE, DTLS and SRTP up with a peer transport, in virtual time) receiving
/// hostile datagrams. The input is a sequence of records: a header byte (bits 0-2 choose what to force: STUN, DTLS,
/// RTP or RTCP first bytes per RFC 7983, the bytes as they are, or a genuine SRTP packet from the peer carrying the
/// bytes as its payload; bit 3 sends it from a stranger's address instead of the peer's; bits 4-7 the time step in ms),
/// then a 2-byte length and the bytes. The transport must never throw, must keep its timer moving, must stay
/// connected (nothing unauthenticated may tear it down), must give a reason for every drop, and must deliver every
/// genuine packet from the peer with exactly the plaintext sent.
/// </summary>
[FuzzTarget("webrtc-transport")]
public sealed class WebRtcTransportTarget : IFuzzTarget
{
    private static readonly DtlsCertificate s_certA = DtlsCertificate.Generate(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly DtlsCertificate s_certB = DtlsCertificate.Generate(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly TransportAddress s_a = TransportAddress.Parse("10.0.0.1:1000");
    private static readonly TransportAddress s_b = TransportAddress.Parse("10.0.0.2:2000");
    private static readonly TransportAddress s_stranger = TransportAddress.Parse("10.0.0.3:3000");
    private static readonly byte[] s_firstBytes = [0x00, 0x01, 0x16, 0x17, 0x80, 0x81];

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        using var a = new WebRtcTransport(new WebRtcTransportOptions { Certificate = s_certA, Random = new Random(1) });
        using var b = new WebRtcTransport(new WebRtcTransportOptions { Certificate = s_certB, Random = new Random(2) });
        a.AddLocalAddress(s_a);
        b.AddLocalAddress(s_b);
        TimeSpan now = TimeSpan.FromSeconds(1);
        a.StartGathering(controlling: true, now);
        b.StartGathering(controlling: false, now);
        a.Start(new TransportParameters
        {
            RemoteIce = b.LocalCredentials,
            RemoteFingerprints = [b.LocalFingerprint],
            LocalDtlsRole = DtlsRole.Client,
            IceControlling = true,
            RemoteCandidates = b.IceAgent!.LocalCandidates,
            RemoteEndOfCandidates = true,
        }, now);
        b.Start(new TransportParameters
        {
            RemoteIce = a.LocalCredentials,
            RemoteFingerprints = [a.LocalFingerprint],
            LocalDtlsRole = DtlsRole.Server,
            IceControlling = false,
            RemoteCandidates = a.IceAgent!.LocalCandidates,
            RemoteEndOfCandidates = true,
        }, now);
        byte[] buffer = new byte[2048];
        byte[] plain = new byte[2048];
        for (int step = 0; step < 400 && (a.State != TransportState.Connected || b.State != TransportState.Connected); step++)
        {
            Exchange(a, b, buffer, plain, now, expected: null);
            now += TimeSpan.FromMilliseconds(5);
            a.HandleTimeout(now);
            b.HandleTimeout(now);
        }

        if (a.State != TransportState.Connected || b.State != TransportState.Connected)
        {
            throw new InvalidOperationException($"set-up did not connect: {a.State}, {b.State}");
        }

        Exchange(a, b, buffer, plain, now, expected: null);
        byte[] datagram = new byte[2048];
        byte[] rtp = new byte[2048];
        ushort sequence = 1;
        int i = 0;
        while (i + 3 <= data.Length)
        {
            int header = data[i];
            int length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(data[(i + 1)..]), Math.Min(data.Length - i - 3, datagram.Length));
            ReadOnlySpan<byte> bytes = data.Slice(i + 3, length);
            i += 3 + length;
            now += TimeSpan.FromMilliseconds(header >> 4);
            int mode = header & 7;
            if (mode == 7)
            {
                // A genuine packet from the peer with the fuzzed bytes as payload: it must arrive intact.
                int payload = Math.Min(length, 1000);
                rtp[0] = 0x80;
                rtp[1] = 111;
                BinaryPrimitives.WriteUInt16BigEndian(rtp.AsSpan(2), sequence++);
                BinaryPrimitives.WriteUInt32BigEndian(rtp.AsSpan(4), sequence * 960u);
                BinaryPrimitives.WriteUInt32BigEndian(rtp.AsSpan(8), 0xA1B2C3D4);
                bytes[..payload].CopyTo(rtp.AsSpan(12));
                TransportSendStatus sent = a.SendRtp(rtp.AsSpan(0, 12 + payload), now);
                if (sent != TransportSendStatus.Sent)
                {
                    throw new InvalidOperationException("the peer could not send: " + sent);
                }

                Exchange(a, b, buffer, plain, now, expected: rtp.AsSpan(0, 12 + payload).ToArray());
            }
            else
            {
                bytes.CopyTo(datagram);
                if (length > 0 && mode < s_firstBytes.Length)
                {
                    // Force the RFC 7983 class: STUN/DTLS take the chosen first byte, RTP/RTCP keep the fuzzed low bits.
                    byte first = s_firstBytes[mode];
                    datagram[0] = first >= 0x80 ? (byte)(0x80 | (datagram[0] & 0x3F)) : first;
                    if (first == 0x81 && length > 1)
                    {
                        datagram[1] = (byte)(192 + (datagram[1] & 31));
                    }
                }

                TransportAddress from = (header & 8) == 0 ? s_a : s_stranger;
                b.Accepts(s_b, from, datagram.AsSpan(0, length));
                TransportReceive r = b.HandleDatagram(s_b, from, datagram.AsSpan(0, length), plain, now);
                if (r.Kind == TransportReceiveKind.Dropped && r.DropReason == TransportDropReason.None)
                {
                    throw new InvalidOperationException("a drop without a reason");
                }

                if (r.IsMedia && (r.Length < 0 || r.Length > length))
                {
                    throw new InvalidOperationException($"plaintext of {r.Length} bytes from a {length}-byte datagram");
                }
            }

            foreach (WebRtcTransport t in (ReadOnlySpan<WebRtcTransport>)[a, b])
            {
                if (t.PollTimeout() is TransportTimeout due && due.At <= now)
                {
                    t.HandleTimeout(now);
                    if (t.PollTimeout() is TransportTimeout again && again.At <= now)
                    {
                        throw new InvalidOperationException($"the transport's timer ({again.Reason}) does not advance");
                    }
                }
            }

            Exchange(a, b, buffer, plain, now, expected: null);
            while (b.TryPollEvent(out _))
            {
            }

            while (a.TryPollEvent(out _))
            {
            }
        }

        if (b.State != TransportState.Connected)
        {
            throw new InvalidOperationException("unauthenticated input changed the transport to " + b.State);
        }
    }

    private static void Exchange(WebRtcTransport a, WebRtcTransport b, byte[] buffer, byte[] plain, TimeSpan now, byte[]? expected)
    {
        bool delivered = expected is null;
        for (bool moved = true; moved;)
        {
            moved = false;
            while (a.TryPollTransmit(buffer, out DatagramTransmit t))
            {
                moved = true;
                TransportReceive r = b.HandleDatagram(t.Destination, t.Source, buffer.AsSpan(0, t.Length), plain, now);
                if (expected is not null && r.Kind == TransportReceiveKind.Rtp)
                {
                    if (!plain.AsSpan(0, r.Length).SequenceEqual(expected))
                    {
                        throw new InvalidOperationException("a genuine packet arrived changed");
                    }

                    delivered = true;
                }
            }

            while (b.TryPollTransmit(buffer, out DatagramTransmit t))
            {
                moved = true;
                a.HandleDatagram(t.Destination, t.Source, buffer.AsSpan(0, t.Length), plain, now);
            }
        }

        if (!delivered)
        {
            throw new InvalidOperationException("a genuine packet from the peer did not arrive");
        }
    }
}
