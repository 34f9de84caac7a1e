using RtcStack.TestSupport;
using RtcStack.WebRtc.Jsep;
using Xunit;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionTests;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// The video steady path of <see cref="WebRtcSession"/> allocates nothing per frame: packetizing and sending a VP8 frame
/// (with its packets kept for retransmission) on one side, receiving, assembling and handing the frame up on the other.
/// The two sessions are wired back to back (every datagram delivered the moment it is polled) and measured in chunks
/// (AllocationProbe), so the rarer ICE consent checks stay out of some chunks.
/// </summary>
public class WebRtcSessionVideoAllocationTests
{
    private sealed class Rig : IDisposable
    {
        private readonly byte[] _bufferA = new byte[1 << 16];
        private readonly byte[] _bufferB = new byte[1 << 16];
        private readonly byte[] _media = new byte[1 << 16];
        private readonly byte[][] _frames;
        private readonly Pair _net;
        private readonly Transceiver _video;
        private TimeSpan _now;

        public Rig(Pair net, Transceiver video, int frameSize)
        {
            _net = net;
            _video = video;
            _now = net.Now;
            _frames = [.. Enumerable.Range(0, 8).Select(i => VideoFrame(i + 1, key: false, size: frameSize))];
        }

        public bool Deliver { get; set; } = true;

        /// <summary>Drops every n-th RTP datagram from A to B (0: none); RTCP and the rest go through.</summary>
        public int DropEvery { get; set; }

        public long Dropped { get; private set; }

        private long _rtpFromA;

        public void Dispose() => _net.Dispose();

        public long FramesReceived { get; private set; }

        public WebRtcSession A => _net.A.Session;

        public WebRtcSession B => _net.B.Session;

        public void SendKeyFrame(int size)
        {
            Assert.True(A.SendVideoFrame(_video, VideoFrame(0, key: true, size: size), 0, keyFrame: true, _now));
            Drain();
        }

        // One 5 ms round; a frame every 8th round (25 frames per second).
        public void Round(int i)
        {
            _now += TimeSpan.FromMilliseconds(5);
            if (A.PollTimeout() is TimeSpan ta && ta <= _now)
            {
                A.HandleTimeout(_now);
            }

            if (B.PollTimeout() is TimeSpan tb && tb <= _now)
            {
                B.HandleTimeout(_now);
            }

            if (i % 8 == 0)
            {
                Assert.True(A.SendVideoFrame(_video, _frames[(i / 8) % _frames.Length], (uint)(3600 * (i / 8 + 1)), keyFrame: false, _now));
            }

            Drain();
        }

        private void Drain()
        {
            for (int k = 0; k < 2; k++)
            {
                Pump(A, B, _net.A.Address, _net.B.Address, _bufferA);
                Pump(B, A, _net.B.Address, _net.A.Address, _bufferB);
            }
        }

        private void Pump(WebRtcSession from, WebRtcSession to, RtcStack.Stun.TransportAddress fromAddress, RtcStack.Stun.TransportAddress toAddress, byte[] buffer)
        {
            while (true)
            {
                while (from.TryPollMedia(_media, out ReceivedMedia m, out bool fits) && fits)
                {
                    if (m.IsVideo)
                    {
                        FramesReceived++;
                    }
                }

                SessionOutput o = from.PollOutput(buffer);
                if (o.Kind == SessionOutputKind.Transmit)
                {
                    ReadOnlySpan<byte> d = buffer.AsSpan(0, o.Transmit.Length);
                    bool rtp = d.Length > 1 && d[0] is >= 0x80 and <= 0xBF && d[1] is < 192 or > 223;
                    if (from == A && rtp && DropEvery > 0 && ++_rtpFromA % DropEvery == 0)
                    {
                        Dropped++;
                    }
                    else if (Deliver || from == B)
                    {
                        to.HandleDatagram(toAddress, fromAddress, buffer.AsSpan(0, o.Transmit.Length), _now);
                    }
                }
                else if (o.Kind is not (SessionOutputKind.Media or SessionOutputKind.Event))
                {
                    return;
                }
            }
        }
    }

    private static Rig Connect(int seed, int frameSize)
    {
        var net = new Pair(seed);
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        var rig = new Rig(net, aVideo, frameSize);
        rig.SendKeyFrame(frameSize);
        return rig;
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(5000)]
    public void SendingAndReceivingVideoAllocatesNothingPerFrame(int frameSize)
    {
        using Rig rig = Connect(41, frameSize);
        for (int i = 0; i < 400; i++)
        {
            rig.Round(i);
        }

        long before = rig.FramesReceived;
        Assert.True(before > 40, $"{before} frames received in warm-up");
        long allocated = AllocationProbe.LeastPerChunk(400, 3200, 20, rig.Round);
        Assert.Equal(350, rig.FramesReceived - before); // every frame sent while measured (2,800 rounds, one frame in 8)
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void SendingVideoAllocatesNothingPerFrame()
    {
        using Rig rig = Connect(43, 3000);
        rig.Deliver = false;
        for (int i = 0; i < 400; i++)
        {
            rig.Round(i);
        }

        long allocated = AllocationProbe.LeastPerChunk(400, 3200, 20, rig.Round);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void RepairingLossWithNackAndRtxAllocatesNothingPerFrame()
    {
        // 3000-byte frames are three packets each; every 23rd RTP datagram from A is lost (retransmissions included,
        // so now and then a retransmission is lost too and asked for again).
        using Rig rig = Connect(47, 3000);
        rig.DropEvery = 23;
        for (int i = 0; i < 400; i++)
        {
            rig.Round(i);
        }

        long before = rig.FramesReceived, dropped = rig.Dropped;
        long allocated = AllocationProbe.LeastPerChunk(400, 3200, 20, rig.Round);
        Assert.True(rig.Dropped - dropped > 40, $"{rig.Dropped - dropped} datagrams dropped while measured");
        Assert.Equal(350, rig.FramesReceived - before);
        RtcOutboundRtpStreamStats video = rig.A.GetStats(TimeSpan.Zero).All<RtcOutboundRtpStreamStats>().Single(o => o.Kind == "video");
        Assert.True(video.RetransmittedPacketsSent > 40, $"{video.RetransmittedPacketsSent} retransmissions");
        Assert.Equal(0, allocated);
    }
}
