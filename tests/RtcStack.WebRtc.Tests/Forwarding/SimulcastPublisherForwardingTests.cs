using System.Buffers.Binary;
using RtcStack.Congestion.Gcc;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Forwarding;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;
using RtcStack.WebRtc.Transport;
using Xunit;
using Node = RtcStack.WebRtc.Tests.Forwarding.ForwardingNet.Node;

namespace RtcStack.WebRtc.Tests.Forwarding;

/// <summary>
/// Our own session as the simulcast publisher (RFC 8853 send side) in front of the forwarder, in virtual time: the
/// publisher sends three VP8 layers of about 150 kbit/s, 500 kbit/s and 1.85 Mbit/s (2.5 Mbit/s in all) with
/// <see cref="WebRtcSession.SendVideoFrame(Transceiver, string, ReadOnlyMemory{byte}, uint, bool, TimeSpan)"/>; the
/// SFU's publisher-side session hands the packets to a <see cref="SimulcastForwarder"/>, whose key frame requests
/// become PLIs for one layer (<see cref="WebRtcSession.RequestKeyframe(Transceiver, string, TimeSpan)"/>) that reach
/// the publisher's application as <see cref="SessionKeyframeRequestedEvent.Rid"/>; the application encodes a key frame
/// of that layer only.
/// </summary>
public class SimulcastPublisherForwardingTests
{
    private static readonly byte[] KeyFrameHeader = [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];
    private static readonly string[] Rids = ["q", "h", "f"];
    private static readonly int[] LayerFrameBytes = [625, 2083, 7708];

    [Fact]
    public void OurSimulcastPublisherThroughTheForwarderGivesTheViewerOneContinuousStreamOnTheTopLayer()
    {
        using var net = new ForwardingNet();
        GccOptions fast = new() { StartBitrateBps = 4_000_000, InitialProbing = false, AlrProbing = false };
        Node pub = net.Add("publisher", Options(41, fast));
        Node sfuIn = net.Add("sfu-in", Options(43, null, receiveRtpPackets: true));
        Node viewer = net.Add("viewer", Options(45, null));
        Node sfuOut = net.Add("sfu-out", Options(47, fast with { StartBitrateBps = 3_000_000 }));
        ForwardingNet.Link(pub, sfuIn);
        ForwardingNet.Link(viewer, sfuOut);

        Transceiver pubVideo = pub.Session.AddSimulcastTransceiver(
            [new SendEncoding("q") { MaxBitrateBps = 150_000 }, new SendEncoding("h") { MaxBitrateBps = 500_000 }, new SendEncoding("f") { MaxBitrateBps = 1_900_000 }],
            MediaDirection.SendOnly);
        Assert.True(sfuIn.Session.TryAnswer(pub.Session.CreateOffer(net.Now), MediaDirection.RecvOnly, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.True(pub.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        Assert.Equal(Rids, sfuIn.Session.Jsep.NegotiatedSections.Single().ReceiveRids);

        viewer.Session.AddTransceiver(MediaKind.Video, MediaDirection.RecvOnly);
        Assert.True(sfuOut.Session.TryAnswer(viewer.Session.CreateOffer(net.Now), MediaDirection.SendOnly, net.Now, out answer, out error), error?.ToString());
        Assert.True(viewer.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());

        Transceiver inVideo = sfuIn.Session.Jsep.Transceivers.Single();
        Transceiver outVideo = sfuOut.Session.Jsep.Transceivers.Single();
        NegotiatedSection outSection = sfuOut.Session.Jsep.NegotiatedSections.Single();
        var forwarder = new SimulcastForwarder(new SimulcastForwarderOptions { LayerCount = 3 });
        int subscriber = forwarder.AddSubscriber(outSection.LocalSsrc!.Value, 100, 5000, (byte)outSection.SendCodecs.First(c => c.Name == "VP8").PayloadType);

        // The SFU: the publisher's packets through the forwarder to the subscriber session; the subscriber's PLIs and
        // target to the forwarder; the forwarder's key frame requests to the publisher as a PLI for one layer.
        byte[] forwarded = new byte[WebRtcSession.MaxDatagramSize + 1];
        sfuIn.OnMedia = (in ReceivedMedia media, ReadOnlySpan<byte> packet) =>
        {
            Assert.True(media.IsRtpPacket);
            SimulcastPacket p = forwarder.Ingest(Array.IndexOf(Rids, media.Rid), packet, net.Now);
            Assert.Equal(SimulcastIngestStatus.Accepted, p.Status);
            if (forwarder.Forward(subscriber, p, packet, forwarded, out int written) == SimulcastForwardStatus.Forwarded)
            {
                Assert.True(sfuOut.Session.SendRtp(outVideo, forwarded.AsSpan(0, written), net.Now));
            }
        };
        sfuOut.OnEvent = e =>
        {
            if (e is SessionKeyframeRequestedEvent)
            {
                forwarder.RequestKeyframe(subscriber, net.Now);
            }
            else if (e is SessionTargetBitrateEvent t)
            {
                forwarder.SetTargetBitrate(subscriber, t.TargetBitrateBps, net.Now);
            }
        };
        net.Step = now =>
        {
            while (forwarder.TryPollKeyframeRequest(out int layer))
            {
                sfuIn.Session.RequestKeyframe(inVideo, Rids[layer], now);
            }
        };

        // The publisher's application: a key frame of a layer when a PLI for that layer's RID reached it.
        var asked = new HashSet<string>();
        var requests = new List<string?>();
        pub.OnEvent = e =>
        {
            if (e is SessionKeyframeRequestedEvent k)
            {
                requests.Add(k.Rid);
                asked.Add(k.Rid!);
            }
        };

        Assert.True(net.RunUntil(() => pub.Session.CanSendMedia && sfuIn.Session.State == PeerConnectionState.Connected && sfuOut.Session.CanSendMedia && viewer.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        const int Frames = 90;
        var keyFrames = new HashSet<(int Layer, int Index)>();
        TimeSpan start = net.Now;
        for (int frame = 0; frame < Frames; frame++)
        {
            net.RunUntil(() => false, start + TimeSpan.FromTicks(frame * TimeSpan.TicksPerSecond / 30) - net.Now);
            for (int layer = 0; layer < 3; layer++)
            {
                bool key = frame == 0 || asked.Remove(Rids[layer]);
                if (key)
                {
                    keyFrames.Add((layer, frame));
                }

                Assert.True(pub.Session.SendVideoFrame(pubVideo, Rids[layer], Frame(layer, frame, key), (uint)(3000 * frame), key, net.Now), $"frame {frame} layer {layer}");
            }
        }

        net.RunFor(TimeSpan.FromMilliseconds(500));

        // Every frame reached the viewer whole, from one layer or, at a switch, two; a switch only at a key frame the
        // publisher made for a PLI naming that layer; the viewer ends on the top layer.
        var frames = new List<(int Layer, int Index, bool Key)>();
        foreach ((ReceivedMedia media, byte[] data, _) in viewer.Media.Where(x => x.Media.IsVideo))
        {
            int layer = data[12], index = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(13));
            bool key = (data[0] & 1) == 0;
            Assert.Equal(Frame(layer, index, key), data);
            frames.Add((layer, index, key));
        }

        Assert.Equal(Enumerable.Range(0, Frames), frames.Select(f => f.Index).Distinct());
        for (int i = 1; i < frames.Count; i++)
        {
            bool switched = frames[i].Layer != frames[i - 1].Layer;
            int step = frames[i].Index - frames[i - 1].Index;
            Assert.True(step == 1 || (step == 0 && switched), $"{frames[i - 1]} then {frames[i]}");
            if (switched)
            {
                Assert.True(frames[i].Key && frames[i].Index > 0 && keyFrames.Contains((frames[i].Layer, frames[i].Index)), $"switch at {frames[i]}");
            }
        }

        Assert.Equal(2, frames[^1].Layer);
        Assert.Contains("f", requests);
        Assert.All(requests, r => Assert.Contains(r, Rids));

        // Only the layers a PLI named made key frames after the first frame.
        Assert.All(keyFrames.Where(k => k.Index > 0), k => Assert.Contains(Rids[k.Layer], requests));
        ReceiveStreamStats stats = viewer.Session.Sections.Single().Inbound.Single();
        Assert.Equal(0, stats.FramesDropped);
        Assert.Equal(frames.Count, stats.FramesReceived);
        Assert.Equal(0, sfuIn.Session.MediaCounters.UnroutedRtp);
    }

    private static WebRtcSessionOptions Options(int seed, GccOptions? gcc, bool receiveRtpPackets = false) => new()
    {
        ReceiveRtpPackets = receiveRtpPackets,
        Random = new Random(seed),
        Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
        Gcc = gcc ?? new GccOptions { InitialProbing = false, AlrProbing = false },
    };

    /// <summary>A VP8 frame: a key frame's header or an inter frame's tag (RFC 6386 §9.1), then layer and index, then a pattern.</summary>
    private static byte[] Frame(int layer, int index, bool key)
    {
        var f = new byte[LayerFrameBytes[layer]];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = (byte)((i * 31) + index + layer);
        }

        if (key)
        {
            KeyFrameHeader.CopyTo(f, 0);
        }
        else
        {
            f[0] = 0x01;
        }

        f[12] = (byte)layer;
        BinaryPrimitives.WriteInt32BigEndian(f.AsSpan(13), index);
        return f;
    }
}
