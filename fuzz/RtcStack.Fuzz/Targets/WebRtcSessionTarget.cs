using System.Buffers.Binary;
using RtcStack.Dtls;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.Stun;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// A connected <see cref="WebRtcSession"/> with an audio and a video section in one BUNDLE group (ICE, DTLS and SRTP
/// up with a peer, in virtual time) receiving hostile datagrams on its 5-tuple. The input is the one
/// <c>peer-session</c> took for the first release's session: a sequence of datagrams (a header byte choosing the
/// first-byte class to force, STUN/DTLS/RTP/RTCP per RFC 7983, and the time step, then a 2-byte length) delivered as
/// if from the peer, interleaved with timeouts. The session must never throw, must keep its timers moving, and must
/// stay connected (nothing unauthenticated may tear it down).
/// </summary>
[FuzzTarget("webrtc-session")]
public sealed class WebRtcSessionTarget : IFuzzTarget
{
    private static readonly DtlsCertificate s_certA = DtlsCertificate.Generate(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly DtlsCertificate s_certB = DtlsCertificate.Generate(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly TransportAddress s_a = TransportAddress.Parse("10.0.0.1:1000");
    private static readonly TransportAddress s_b = TransportAddress.Parse("10.0.0.2:2000");
    private static readonly byte[] s_firstBytes = [0x00, 0x01, 0x16, 0x17, 0x80, 0x90, 0x81];

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        using var a = new WebRtcSession(Options(s_certA, 1));
        using var b = new WebRtcSession(Options(s_certB, 2));
        a.AddLocalAddress(s_a);
        b.AddLocalAddress(s_b);
        a.AddTransceiver(MediaKind.Audio);
        a.AddTransceiver(MediaKind.Video);
        TimeSpan now = TimeSpan.FromSeconds(1);
        string offer = a.CreateOffer(now);
        if (!b.TryAnswer(offer, MediaDirection.SendRecv, now, out string? answer, out JsepError? error) || !a.TryApplyAnswer(answer, now, out error))
        {
            throw new InvalidOperationException("set-up failed: " + error);
        }

        byte[] buffer = new byte[2048];
        for (int step = 0; step < 400 && (a.State != PeerConnectionState.Connected || b.State != PeerConnectionState.Connected); step++)
        {
            Exchange(a, b, buffer, now);
            now += TimeSpan.FromMilliseconds(5);
            a.HandleTimeout(now);
            b.HandleTimeout(now);
        }

        if (b.State != PeerConnectionState.Connected)
        {
            throw new InvalidOperationException("set-up did not connect");
        }

        byte[] datagram = new byte[2048];
        int i = 0;
        while (i + 3 <= data.Length)
        {
            int header = data[i];
            int length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(data[(i + 1)..]), Math.Min(data.Length - i - 3, datagram.Length));
            data.Slice(i + 3, length).CopyTo(datagram);
            i += 3 + length;
            if (length > 0 && (header & 7) < s_firstBytes.Length)
            {
                // Force the RFC 7983 class: STUN/DTLS take the chosen first byte, RTP/RTCP keep the fuzzed low bits (PT/count).
                byte first = s_firstBytes[header & 7];
                datagram[0] = first >= 0x80 ? (byte)(0x80 | (datagram[0] & 0x3F)) : first;
            }

            now += TimeSpan.FromMilliseconds(header >> 3);
            b.HandleDatagram(s_b, s_a, datagram.AsSpan(0, length), now);
            if (b.PollTimeout() is TimeSpan due && due <= now)
            {
                b.HandleTimeout(now);
                if (b.PollTimeout() is TimeSpan again && again <= now)
                {
                    throw new InvalidOperationException("the session's timer does not advance");
                }
            }

            while (b.TryPollTransmit(buffer, out _))
            {
            }

            while (b.TryPollEvent(out _))
            {
            }

            while (b.TryPollMedia(buffer, out _, out bool fits) && fits)
            {
            }
        }

        if (b.State is PeerConnectionState.Failed or PeerConnectionState.Closed)
        {
            throw new InvalidOperationException("unauthenticated input changed the session to " + b.State);
        }

        _ = b.GetStats(now).ToJson();
    }

    private static WebRtcSessionOptions Options(DtlsCertificate certificate, int seed) => new()
    {
        Random = new Random(seed),
        Transport = new WebRtcTransportOptions { Certificate = certificate, Random = new Random(seed + 10) },
    };

    private static void Exchange(WebRtcSession a, WebRtcSession b, byte[] buffer, TimeSpan now)
    {
        while (a.TryPollTransmit(buffer, out DatagramTransmit t))
        {
            b.HandleDatagram(s_b, s_a, buffer.AsSpan(0, t.Length), now);
        }

        while (b.TryPollTransmit(buffer, out DatagramTransmit t))
        {
            a.HandleDatagram(s_a, s_b, buffer.AsSpan(0, t.Length), now);
        }
    }
}
