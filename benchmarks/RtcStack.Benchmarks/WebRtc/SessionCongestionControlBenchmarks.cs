using System.Net;
using BenchmarkDotNet.Attributes;
using RtcStack.Dtls;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.Stun;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;

namespace RtcStack.Benchmarks.WebRtc;

/// <summary>
/// What the in-session congestion control costs per sent packet (issue 14: "the in-session controller and pacer add
/// ≤ 1 µs per sent packet, 0 B"). Two connected <see cref="WebRtcSession"/>s with one video section (VP8, transport-cc
/// negotiated, so B sends transport-wide feedback in every variant), in memory; each operation is one 30 fps frame of
/// one 1,000-byte packet from A: <see cref="WebRtcSession.SendVideoFrame"/>, B's receive and media poll, and both
/// sessions' due timers (A's pacer releasing the packet, B's feedback, RTCP, consent) with their datagrams delivered.
/// The baseline is the same path with <see cref="SessionCongestionControl.None"/> and no pacing: A stamps transport-wide
/// sequence numbers and B reports them, but nothing estimates or paces. The difference between the rows is the
/// controller (GCC or NADA: feedback matched to the sent history, estimate, probes, ALR) and the pacer (queue, budget,
/// timer).
/// </summary>
[MemoryDiagnoser]
public class SessionCongestionControlBenchmarks
{
    private static readonly TransportAddress s_addressA = new(IPAddress.Loopback, 10000);
    private static readonly TransportAddress s_addressB = new(IPAddress.Loopback, 20000);

    // A VP8 key frame's first bytes (RFC 6386 §9.1: frame tag with P = 0, start code 9D 01 2A, 640×480); a delta frame
    // has the P bit set. Random bytes would make B's frame buffer wait for a key frame forever and deliver nothing.
    private static readonly byte[] s_keyFrameHeader = [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];
    private readonly byte[] _frame = new byte[1000];
    private readonly byte[] _keyFrame = new byte[1000];
    private bool _keyFrameAsked = true;
    private long _framesReceived;
    private readonly byte[] _datagram = new byte[WebRtcSession.MinOutputBuffer];
    private readonly byte[] _media = new byte[WebRtcSession.MaxDatagramSize];
    private DtlsCertificate _certA = null!;
    private DtlsCertificate _certB = null!;
    private WebRtcSession _a = null!;
    private WebRtcSession _b = null!;
    private Transceiver _video = null!;
    private TimeSpan _now;
    private uint _timestamp;

    /// <summary>What A's session runs in a row of the table.</summary>
    public enum Variant
    {
        /// <summary>No controller and no pacing: the baseline.</summary>
        None,

        /// <summary>GCC and the pacer, as a session makes them by default (periodic ALR probes on).</summary>
        Gcc,

        /// <summary>
        /// GCC and the pacer with <see cref="RtcStack.Congestion.Gcc.GccOptions.AlrProbing"/> off, libwebrtc's default
        /// outside screen sharing. An application-limited sender (this one sends 240 kbit/s) is probed every 5 s
        /// otherwise, and each probe's padding packets go through SRTP and the transport like media: about one padding
        /// packet per ten media packets here. This row shows the controller and pacer without those extra packets.
        /// </summary>
        GccWithoutAlrProbes,

        /// <summary>NADA (RFC 8698) and the pacer.</summary>
        Nada,
    }

    /// <summary>Gets or sets what A's session runs: None (no controller, no pacing) is the baseline.</summary>
    [Params(Variant.None, Variant.Gcc, Variant.GccWithoutAlrProbes, Variant.Nada)]
    public Variant Controller { get; set; }

    /// <summary>Connects the sessions and sends 10 s of frames so the controller and the feedback are in steady state.</summary>
    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_frame);
        _frame[0] = 0x01;
        _frame.CopyTo(_keyFrame, 0);
        s_keyFrameHeader.CopyTo(_keyFrame, 0);
        _certA = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        _certB = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        _a = new WebRtcSession(Options(_certA, 1, Controller));
        _b = new WebRtcSession(Options(_certB, 2, Variant.None));
        _a.AddLocalAddress(s_addressA);
        _b.AddLocalAddress(s_addressB);
        _video = _a.AddTransceiver(MediaKind.Video);
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

        if (_a.State != PeerConnectionState.Connected || _b.State != PeerConnectionState.Connected || !_a.TransportWideCcNegotiated)
        {
            throw new InvalidOperationException($"not connected with transport-cc: {_a.State} / {_b.State}");
        }

        for (int i = 0; i < 300; i++)
        {
            SendFrame();
        }

        bool paced = Controller != Variant.None;
        if (paced != (_a.PacingCounters.PacketsPaced > 0) || _b.FeedbackCounters.TransportFeedbackSent == 0 || _framesReceived < 290)
        {
            throw new InvalidOperationException($"unexpected set-up: {_a.PacingCounters.PacketsPaced} paced, {_b.FeedbackCounters.TransportFeedbackSent} feedback packets, {_framesReceived} of 300 frames received");
        }
    }

    /// <summary>Releases the certificates.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose();
        _b.Dispose();
        _certA.Dispose();
        _certB.Dispose();
    }

    /// <summary>One one-packet video frame from A to B and everything both sessions do for it.</summary>
    [Benchmark]
    public int SendFrame()
    {
        _now += TimeSpan.FromTicks(TimeSpan.TicksPerSecond / 30);
        _timestamp += 3000;
        // A key frame first and whenever B asks for one (its PLI reaches A as an event, drained in Deliver).
        bool key = _keyFrameAsked;
        _keyFrameAsked = false;
        _a.SendVideoFrame(_video, key ? _keyFrame : _frame, _timestamp, keyFrame: key, _now);
        Deliver(_a, _b, s_addressA, s_addressB);
        int frames = 0;
        while (_b.TryPollMedia(_media, out _))
        {
            frames++;
        }

        Timers();
        _framesReceived += frames;
        return frames;
    }

    private static WebRtcSessionOptions Options(DtlsCertificate certificate, int seed, Variant variant) => new()
    {
        Random = new Random(seed),
        Transport = new WebRtcTransportOptions { Certificate = certificate, Random = new Random(seed + 1000) },
        CongestionControl = variant switch
        {
            Variant.None => SessionCongestionControl.None,
            Variant.Nada => SessionCongestionControl.Nada,
            _ => SessionCongestionControl.Gcc,
        },
        Gcc = new RtcStack.Congestion.Gcc.GccOptions { AlrProbing = variant != Variant.GccWithoutAlrProbes },
        Pacing = variant != Variant.None,
    };

    private void Timers()
    {
        Timer(_a, _b, s_addressA, s_addressB);
        Timer(_b, _a, s_addressB, s_addressA);
    }

    private void Timer(WebRtcSession s, WebRtcSession peer, TransportAddress from, TransportAddress to)
    {
        for (int i = 0; i < 8 && s.PollTimeout() is TimeSpan due && due <= _now; i++)
        {
            s.HandleTimeout(_now);
            Deliver(s, peer, from, to);
        }

        Deliver(s, peer, from, to);
    }

    private void Deliver(WebRtcSession from, WebRtcSession to, TransportAddress fromAddress, TransportAddress toAddress)
    {
        while (from.TryPollTransmit(_datagram, out DatagramTransmit t))
        {
            to.HandleDatagram(toAddress, fromAddress, _datagram.AsSpan(0, t.Length), _now);
        }

        _ = to.PollTimeout();
        while (to.TryPollEvent(out SessionEvent? e))
        {
            _keyFrameAsked |= e is SessionKeyframeRequestedEvent && to == _a;
        }

        while (from.TryPollEvent(out SessionEvent? e))
        {
            _keyFrameAsked |= e is SessionKeyframeRequestedEvent && from == _a;
        }
    }
}
