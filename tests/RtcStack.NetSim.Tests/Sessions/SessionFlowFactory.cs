using RtcStack.Dtls;
using RtcStack.NetSim.Metrics;
using RtcStack.NetSim.Scenarios;
using RtcStack.NetSim.Sources;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// Builds an RFC 8867 media flow as two real <see cref="WebRtcSession"/>s (for <see cref="ScenarioRunOptions.MediaFlowFactory"/>):
/// the sending session owns its controller (GCC or NADA) and pacer, its application is the RFC 8593 video model
/// following the session's target (<see cref="SessionVideoSender"/>), and the receiving session's application takes
/// the frames (<see cref="SessionMediaReceiver"/>). Offer and answer are exchanged at virtual time 0 out of band; ICE,
/// DTLS and every SRTP/SRTCP packet (the TWCC feedback too) cross the scenario's links.
/// </summary>
/// <remarks>
/// Unlike the built-in RTP sender, the call is set up over the constrained links from time 0, and the ECDSA signatures
/// in the DTLS flights differ in length from run to run (70-72 bytes), so two runs with one seed are close but not
/// bit-identical. Media packets received are reported to the metrics probe with their queuing delay; padding-only
/// packets (the P bit is in the clear header) count as bytes but not as delay samples, as the built-in receiver does.
/// </remarks>
internal sealed class SessionFlowFactory
{
    private static readonly DateTimeOffset s_wallClock = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<DtlsCertificate> s_certificateA = new(() => DtlsCertificate.Generate(s_wallClock));
    private static readonly Lazy<DtlsCertificate> s_certificateB = new(() => DtlsCertificate.Generate(s_wallClock));

    /// <summary>Gets each flow's sessions and applications, in flow order (for the checks after a run).</summary>
    public List<Flow> Flows { get; } = [];

    public MediaFlowEndpoints Create(MediaFlowSetup setup)
    {
        SessionCongestionControl cc = setup.Controller switch
        {
            "gcc" => SessionCongestionControl.Gcc,
            "nada" => SessionCongestionControl.Nada,
            _ => throw new NotSupportedException($"the session has no '{setup.Controller}' controller of its own (it has gcc and nada)"),
        };
        if (setup.Options.Video is not VideoSourceOptions video)
        {
            throw new NotSupportedException($"{setup.Flow.Id}: only flows with video are built as sessions");
        }

        int seed = (setup.Simulator.Seed * 100) + (setup.Index * 2);
        var sessionA = new WebRtcSession(Options(seed, s_certificateA.Value, cc, setup.Flow.Feedback));
        var sessionB = new WebRtcSession(Options(seed + 1, s_certificateB.Value, SessionCongestionControl.None, setup.Flow.Feedback));
        var sender = new SessionVideoSender(video, setup.Simulator.CreateRandom(1000 + setup.Index), setup.Options.Start)
        {
            Stop = setup.Options.Stop,
            Pauses = setup.Options.Pauses,
            AudioBps = setup.Options.AudioBps,
        };
        var receiver = new SessionMediaReceiver();
        var a = new WebRtcSessionEndpoint(sessionA, setup.SenderAddress, null, sender) { OnRtpWritten = sender.CountWritten };
        var b = new WebRtcSessionEndpoint(sessionB, setup.ReceiverAddress, null, receiver);
        if (setup.Options.AudioBps > 0)
        {
            sender.AudioTransceiver = sessionA.AddTransceiver(MediaKind.Audio);
            sessionB.AddTransceiver(MediaKind.Audio);
        }

        sender.Transceiver = sessionA.AddTransceiver(MediaKind.Video);
        sessionB.AddTransceiver(MediaKind.Video);
        string offer = sessionA.CreateOffer(setup.Simulator.Now);
        if (!sessionB.TryAcceptOffer(offer, setup.Simulator.Now, out string? answer, out JsepError? error)
            || !sessionA.TryApplyAnswer(answer, setup.Simulator.Now, out error))
        {
            throw new InvalidOperationException($"{setup.Flow.Id}: offer/answer failed: {error}");
        }

        var flow = new Flow(setup.Flow.Id, a, b, sender, receiver);
        Flows.Add(flow);
        return new MediaFlowEndpoints
        {
            Sender = a,
            Receiver = b,
            ControllerName = sessionA.CongestionController!.Name,
            TargetBitrateBps = () => sessionA.TargetBitrateBps ?? 0,
            MediaBytesSent = () => sender.RtpWireBytesSent,
            FeedbackBytesSent = () => b.RtcpWireBytesSent,
            AttachProbe = probe =>
            {
                b.OnDatagram = (p, now) =>
                {
                    ReadOnlySpan<byte> d = p.Payload.Span;
                    if (WebRtcSessionEndpoint.IsRtp(d))
                    {
                        flow.RtpDelivered++;
                        probe.OnReceived(p.WireSize, now, p.QueueDelay, recordDelay: (d[0] & 0x20) == 0);
                    }
                };
                receiver.OnFrame = probe.OnFrame;
            },
        };
    }

    private static WebRtcSessionOptions Options(int seed, DtlsCertificate certificate, SessionCongestionControl cc, string feedback) => new()
    {
        Random = new Random(seed),
        Transport = new WebRtcTransportOptions { Certificate = certificate, Random = new Random(seed + 1000), WallClock = new FixedClock(s_wallClock) },
        CongestionControl = cc,
        Pacing = cc != SessionCongestionControl.None,
        Rfc8888Feedback = feedback.Equals("rfc8888", StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>One flow built as sessions.</summary>
    internal sealed record Flow(string Id, WebRtcSessionEndpoint Sender, WebRtcSessionEndpoint Receiver, SessionVideoSender Video, SessionMediaReceiver Frames)
    {
        public long RtpDelivered { get; set; }
    }

    /// <summary>A wall clock that stands still: the sessions' NTP times (RFC 3550 §4) then depend only on virtual time.</summary>
    private sealed class FixedClock(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }
}
