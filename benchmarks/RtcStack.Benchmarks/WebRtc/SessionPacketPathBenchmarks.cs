using System.Buffers.Binary;
using System.Net;
using BenchmarkDotNet.Attributes;
using RtcStack.Benchmarks.Srtp;
using RtcStack.Dtls;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.Srtp;
using RtcStack.Stun;
using RtcStack.TestSupport.LibSrtp;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;

namespace RtcStack.Benchmarks.WebRtc;

/// <summary>
/// The per-packet work of the session load test (<c>rtcstack bench sessions</c>) without sockets: one
/// 80-byte Opus payload from one connected <see cref="WebRtcSession"/> to another (one audio section each), in memory,
/// with a clock that advances 20 ms per packet (50 packets/s). <c>SessionSend</c> is <see cref="WebRtcSession.SendAudio"/>
/// (RTP header and extensions, SRTP protect, NACK history, ICE send bookkeeping) and taking the datagram;
/// <c>SessionSendAndReceive</c> adds the other session's <see cref="WebRtcSession.HandleDatagram"/> (ICE/RFC 7983
/// demultiplexing, SRTP unprotect, statistics, TWCC arrival) and <c>TryPollMedia</c>,
/// plus both sessions' timers when due (RTCP SR/RR, TWCC feedback, ICE consent, whose datagrams are delivered too)
/// and the deadline the driver asks for after each input. The reference in the same run is the bare SRTP
/// protect + unprotect of a packet of the same size by libsrtp 2 (and by our own <see cref="SrtpContext"/>),
/// so the ratio is "a whole session's packet path, in SRTP-only units". With <see cref="Pairs"/> above 1 the
/// session benchmarks take the pairs in turn, one packet each, as the load test does: each packet then meets
/// a session whose state has left the CPU caches since its last packet. (Tables in benchmarks/README.md taken before
/// 2026-12-06 measured the first release's <c>PeerSession</c>.)
/// </summary>
[MemoryDiagnoser]
public class SessionPacketPathBenchmarks
{
    private static readonly TransportAddress s_addressA = new(IPAddress.Loopback, 10000);
    private static readonly TransportAddress s_addressB = new(IPAddress.Loopback, 20000);

    private readonly byte[] _opus = new byte[80];
    private readonly byte[] _datagram = new byte[WebRtcSession.MinOutputBuffer];
    private readonly byte[] _media = new byte[WebRtcSession.MaxDatagramSize];
    private DtlsCertificate _certA = null!;
    private DtlsCertificate _certB = null!;
    private WebRtcSession[] _as = null!;
    private WebRtcSession[] _bs = null!;
    private Transceiver[] _audio = null!;
    private WebRtcSession _a = null!;
    private WebRtcSession _b = null!;
    private Transceiver _aAudio = null!;
    private int _next;
    private TimeSpan _now;
    private uint _timestamp;

    private LibSrtpSession _libsrtpOut = null!;
    private LibSrtpSession _libsrtpIn = null!;
    private SrtpContext _oursOut = null!;
    private SrtpContext _oursIn = null!;
    private byte[] _packet = null!;
    private byte[] _buffer = null!;
    private ushort _seq;

    /// <summary>Gets or sets the SRTP profile the sessions negotiate (and the references use).</summary>
    [Params(SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80)]
    public SrtpProfile Profile { get; set; }

    /// <summary>Gets or sets how many connected session pairs the session benchmarks take in turn.</summary>
    [Params(1, 500)]
    public int Pairs { get; set; }

    /// <summary>Connects the two sessions over an in-memory exchange and keys the references.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _opus[0] = 15 << 3; // TOC: hybrid fullband 20 ms, one frame (RFC 6716 §3.1), as in the load test.
        new Random(1).NextBytes(_opus.AsSpan(1));
        _certA = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        _certB = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        DtlsSrtpProfile(out SrtpProfile wanted);
        _as = new WebRtcSession[Pairs];
        _bs = new WebRtcSession[Pairs];
        _audio = new Transceiver[Pairs];
        for (int p = 0; p < Pairs; p++)
        {
            _a = _as[p] = new WebRtcSession(Options(_certA, (2 * p) + 1, wanted));
            _b = _bs[p] = new WebRtcSession(Options(_certB, (2 * p) + 2, wanted));
            _a.AddLocalAddress(s_addressA);
            _b.AddLocalAddress(s_addressB);
            _audio[p] = _a.AddTransceiver(MediaKind.Audio);
            string offer = _a.CreateOffer(_now);
            if (!_b.TryAnswer(offer, MediaDirection.SendRecv, _now, out string? answer, out JsepError? error) || !_a.TryApplyAnswer(answer, _now, out error))
            {
                throw new InvalidOperationException(error.ToString());
            }

            for (int i = 0; i < 10_000 && (_a.State != PeerConnectionState.Connected || _b.State != PeerConnectionState.Connected); i++)
            {
                _now += TimeSpan.FromMilliseconds(1);
                Timers();
            }

            if (_a.State != PeerConnectionState.Connected || _b.State != PeerConnectionState.Connected)
            {
                throw new InvalidOperationException($"not connected: {_a.State} / {_b.State}");
            }

            while (_a.TryPollEvent(out _) | _b.TryPollEvent(out _))
            {
            }
        }

        (byte[] key, byte[] salt) = SrtpBenchmarkPackets.Keys(Profile);
        _libsrtpOut = new LibSrtpSession(SrtpBenchmarkPackets.Map(Profile), key, salt, outbound: true);
        _libsrtpIn = new LibSrtpSession(SrtpBenchmarkPackets.Map(Profile), key, salt, outbound: false);
        _oursOut = new SrtpContext(Profile, key, salt);
        _oursIn = new SrtpContext(Profile, key, salt);

        // The same size as the sessions' packets: a 12-byte header, the 16-byte one-byte-header extension
        // block (mid, abs-send-time, transport-wide sequence number) and the 80-byte payload.
        _packet = SrtpBenchmarkPackets.Rtp(16 + _opus.Length, 1);
        _buffer = new byte[_packet.Length + 64];
    }

    /// <summary>Releases keys and native state.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        for (int p = 0; p < Pairs; p++)
        {
            _as[p].Dispose();
            _bs[p].Dispose();
        }

        _certA.Dispose();
        _certB.Dispose();
        _libsrtpOut.Dispose();
        _libsrtpIn.Dispose();
        _oursOut.Dispose();
        _oursIn.Dispose();
    }

    /// <summary>libsrtp 2: protect then unprotect one packet of the sessions' size.</summary>
    [Benchmark(Baseline = true)]
    public int LibsrtpProtectUnprotect()
    {
        _packet.CopyTo(_buffer, 0);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _seq++);
        int length = _packet.Length;
        int status = _libsrtpOut.Protect(_buffer, ref length);
        status |= _libsrtpIn.Unprotect(_buffer, ref length);
        return status + length;
    }

    /// <summary>Our <see cref="SrtpContext"/>: protect then unprotect one packet of the sessions' size.</summary>
    [Benchmark]
    public int RtcStackProtectUnprotect()
    {
        _packet.CopyTo(_buffer, 0);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _seq++);
        SrtpStatus status = _oursOut.ProtectRtp(_buffer, _packet.Length, out int length);
        if (status == SrtpStatus.Ok)
        {
            status = _oursIn.UnprotectRtp(_buffer, length, out length);
        }

        return (int)status + length;
    }

    /// <summary>One packet sent by a session: <see cref="WebRtcSession.SendAudio"/> and the datagram taken (then dropped).</summary>
    [Benchmark]
    public int SessionSend()
    {
        NextPair();
        _a.SendAudio(_aAudio, _opus, _timestamp, _now);
        int bytes = 0;
        while (_a.TryPollTransmit(_datagram, out DatagramTransmit t))
        {
            bytes += t.Length;
        }

        return bytes;
    }

    /// <summary>One packet from session A to session B and everything both do for it, timers included (see the class remarks).</summary>
    [Benchmark]
    public int SessionSendAndReceive()
    {
        NextPair();
        _a.SendAudio(_aAudio, _opus, _timestamp, _now);
        Deliver(_a, _b, s_addressA, s_addressB);
        int frames = 0;
        while (_b.TryPollMedia(_media, out _))
        {
            frames++;
        }

        Timers();
        return frames;
    }

    // The next pair in turn; a new 20 ms round (clock and RTP timestamp) starts with the first pair, so every
    // session sees 50 packets/s whatever the number of pairs, as in the load test.
    private void NextPair()
    {
        if (_next == 0)
        {
            _now += TimeSpan.FromMilliseconds(20);
            _timestamp += 960;
        }

        _a = _as[_next];
        _b = _bs[_next];
        _aAudio = _audio[_next];
        _next = _next + 1 == _as.Length ? 0 : _next + 1;
    }

    private static WebRtcSessionOptions Options(DtlsCertificate certificate, int seed, SrtpProfile profile)
    {
        var transport = new WebRtcTransportOptions { Certificate = certificate, Random = new Random(seed + 1000) };
        transport.SrtpProfiles.Clear();
        transport.SrtpProfiles.Add(profile);
        return new WebRtcSessionOptions { Random = new Random(seed), Transport = transport };
    }

    private void DtlsSrtpProfile(out SrtpProfile profile) => profile = Profile switch
    {
        SrtpProfile.AeadAes128Gcm => SrtpProfile.AeadAes128Gcm,
        _ => SrtpProfile.Aes128CmHmacSha1_80,
    };

    // What the driver does: run due timers, deliver what they produced, read the next deadline.
    private void Timers()
    {
        Timer(_a, _b, s_addressA, s_addressB);
        Timer(_b, _a, s_addressB, s_addressA);
    }

    private void Timer(WebRtcSession s, WebRtcSession peer, TransportAddress from, TransportAddress to)
    {
        if (s.PollTimeout() is TimeSpan due && due <= _now)
        {
            s.HandleTimeout(_now);
        }

        Deliver(s, peer, from, to);
        _ = s.PollTimeout();
    }

    private void Deliver(WebRtcSession from, WebRtcSession to, TransportAddress fromAddress, TransportAddress toAddress)
    {
        while (from.TryPollTransmit(_datagram, out DatagramTransmit t))
        {
            to.HandleDatagram(toAddress, fromAddress, _datagram.AsSpan(0, t.Length), _now);
        }

        _ = to.PollTimeout();
        while (to.TryPollEvent(out _))
        {
        }
    }
}
