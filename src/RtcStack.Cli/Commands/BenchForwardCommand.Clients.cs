using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using RtcStack.Congestion.Gcc;
using RtcStack.Dtls;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;

namespace RtcStack.Cli.Commands;

/// <summary>The clients' process of <c>bench forward</c>: the simulcast publisher and the N subscribers, on one loop.</summary>
internal static partial class BenchForwardCommand
{
    private static readonly TimeSpan FrameInterval = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / BenchSimulcastSource.FramesPerSecond);

    /// <summary>
    /// Offers the publisher's session (three RIDs, send-only) and then each subscriber's (video, receive-only) on the
    /// standard output, one "publisher|subscriber BASE64" line each, applying each "answer BASE64" line read back;
    /// then runs the media clock as the forwarder says ("start": warm-up, then a pause; "go" ... "stop": the measured
    /// window) and answers "report" with what the subscribers received and the publisher sent in the window.
    /// </summary>
    private static int RunClients(int n, LayerChoice choice, int? cpu, TextReader input, TextWriter output)
    {
        Pin(cpu);
        using var certificate = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        using UdpEventLoop? loop = UdpEventLoop.IsSupported ? new UdpEventLoop() : null;
        using var pubHost = new UdpSessionHost(new UdpSessionHostOptions { BindAddress = IPAddress.Loopback, IncludeLoopback = true, EventLoop = loop, ReceiveBufferSize = 4 * 1024 * 1024, SendBufferSize = 8 * 1024 * 1024 });
        using var subHost = new UdpSessionHost(new UdpSessionHostOptions { BindAddress = IPAddress.Loopback, IncludeLoopback = true, EventLoop = loop, ReceiveBufferSize = 1024 * 1024 });

        // The publisher: GCC starts above the 2.5 Mbit/s it sends and does not probe (as the forwarding tests).
        var source = new BenchSimulcastSource();
        var pub = new WebRtcSession(new WebRtcSessionOptions
        {
            Transport = new WebRtcTransportOptions { Certificate = certificate },
            WallClockAtZero = pubHost.WallClockAtZero,
            Gcc = new GccOptions { StartBitrateBps = 4_000_000, InitialProbing = false, AlrProbing = false },
        });
        Transceiver video = pub.AddSimulcastTransceiver(BenchSimulcastSource.Encodings(), MediaDirection.SendOnly);
        byte[] pubBuffer = new byte[WebRtcSession.MaxDatagramSize];
        int pubConnected = 0;
        UdpSessionHandle pubHandle = pubHost.Add(pub, (_, _) =>
        {
            while (pub.TryPollEvent(out SessionEvent? e))
            {
                if (e is SessionStateChangedEvent { State: PeerConnectionState.Connected })
                {
                    Volatile.Write(ref pubConnected, 1);
                }
                else if (e is SessionKeyframeRequestedEvent k)
                {
                    source.OnKeyframeRequested(k.Rid);
                }
            }

            while (pub.TryPollMedia(pubBuffer, out _))
            {
            }
        });
        Negotiate(pubHandle, pub, "publisher", input, output);

        // The subscribers: each unprotects (SRTP) and counts the video packets it receives.
        var subs = new WebRtcSession[n];
        var handles = new UdpSessionHandle[n];
        long[] received = new long[n];
        int connected = 0;
        for (int i = 0; i < n; i++)
        {
            int index = i;
            bool up = false;
            byte[] buffer = new byte[WebRtcSession.MaxDatagramSize];
            var s = subs[i] = new WebRtcSession(new WebRtcSessionOptions
            {
                Transport = new WebRtcTransportOptions { Certificate = certificate },
                WallClockAtZero = subHost.WallClockAtZero,
                SharedRetransmissionBudget = subHost.RetransmissionBudget,
                ReceiveRtpPackets = true,
            });
            s.AddTransceiver(MediaKind.Video, MediaDirection.RecvOnly);
            handles[i] = subHost.Add(s, (_, _) =>
            {
                while (s.TryPollEvent(out SessionEvent? e))
                {
                    if (e is SessionStateChangedEvent { State: PeerConnectionState.Connected } && !up)
                    {
                        up = true;
                        Interlocked.Increment(ref connected);
                    }
                }

                while (s.TryPollMedia(buffer, out ReceivedMedia m))
                {
                    if (m.IsRtpPacket && m.IsVideo)
                    {
                        received[index]++;
                    }
                }
            });
            Negotiate(handles[i], s, "subscriber", input, output);
        }

        var wait = Stopwatch.StartNew();
        while ((Volatile.Read(ref pubConnected) == 0 || Volatile.Read(ref connected) < n) && wait.Elapsed < TimeSpan.FromSeconds(300))
        {
            Thread.Sleep(10);
        }

        Say(output, "connected " + Volatile.Read(ref connected));

        // The media clock: one frame of each layer every 1/30 s, on a thread of its own (pinned with the process).
        Action<TimeSpan> sendFrames = now => source.SendFrames(pub, video, now);
        Thread? clock = null;
        var stop = new ManualResetEventSlim();
        void StartClock()
        {
            stop.Reset();
            clock = new Thread(() =>
            {
                var sw = Stopwatch.StartNew();
                for (long k = 1; !stop.IsSet; k++)
                {
                    pubHandle.Invoke(sendFrames);
                    TimeSpan left = (k * FrameInterval) - sw.Elapsed;
                    if (left > TimeSpan.Zero)
                    {
                        stop.Wait(left);
                    }
                }
            }) { IsBackground = true, Name = "bench-forward-clock" };
            clock.Start();
        }

        void StopClock()
        {
            stop.Set();
            clock?.Join();
        }

        long[] PublisherPackets() => pubHandle.Invoke(now =>
        {
            long[] p = new long[BenchSimulcastSource.Rids.Length];
            foreach (RtcOutboundRtpStreamStats o in pub.GetStats(now).All<RtcOutboundRtpStreamStats>())
            {
                int layer = o.Rid is null ? -1 : Array.IndexOf(BenchSimulcastSource.Rids, o.Rid);
                if (layer >= 0)
                {
                    p[layer] += o.PacketsSent;
                }
            }

            return p;
        });

        long[] Received()
        {
            long[] copy = new long[n];
            for (int i = 0; i < n; i++)
            {
                copy[i] = handles[i].Invoke(_ => received[i]);
            }

            return copy;
        }

        ExpectLine(input, "start", SignallingTimeout, "the forwarder");
        StartClock();
        Thread.Sleep(WarmUp);
        StopClock();
        WaitStable(() => Received().Sum());
        long[] receivedAtStart = Received();
        long[] pubAtStart = PublisherPackets();
        long dropsAtStart = subHost.ReadSocketStatistics().KernelDrops;
        Say(output, "paused");
        ExpectLine(input, "go", SignallingTimeout, "the forwarder");
        TimeSpan cpu0 = Cpu();
        var window = Stopwatch.StartNew();
        StartClock();
        ExpectLine(input, "stop", TimeSpan.FromHours(2), "the forwarder");
        StopClock();
        window.Stop();
        TimeSpan cpuUsed = Cpu() - cpu0;
        Say(output, "stopped");
        ExpectLine(input, "report", SignallingTimeout, "the forwarder");
        WaitStable(() => Received().Sum());
        long[] receivedAtEnd = Received();
        long[] pubAtEnd = PublisherPackets();
        long drops = subHost.ReadSocketStatistics().KernelDrops - dropsAtStart;
        long rtx = 0, lost = 0;
        for (int i = 0; i < n; i++)
        {
            WebRtcSession s = subs[i];
            (long r, long l) = handles[i].Invoke(now =>
            {
                long r = 0, l = 0;
                foreach (RtcInboundRtpStreamStats x in s.GetStats(now).All<RtcInboundRtpStreamStats>())
                {
                    r += x.RetransmittedPacketsReceived;
                    l += x.PacketsLost;
                }

                return (r, l);
            });
            rtx += r;
            lost += l;
        }

        long[] pubPackets = new long[pubAtEnd.Length];
        for (int l = 0; l < pubPackets.Length; l++)
        {
            pubPackets[l] = pubAtEnd[l] - pubAtStart[l];
        }

        // A subscriber is short when it received less than the publisher sent of its layer (auto: when it received nothing).
        long perSubscriber = choice == LayerChoice.Auto ? 1 : pubPackets[(int)choice];
        long total = 0, min = long.MaxValue;
        int shortCount = 0;
        for (int i = 0; i < n; i++)
        {
            long got = receivedAtEnd[i] - receivedAtStart[i];
            total += got;
            min = Math.Min(min, got);
            shortCount += got < perSubscriber ? 1 : 0;
        }

        var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteNumber("received", total);
            w.WriteNumber("minReceived", min);
            w.WriteNumber("subscribersShort", shortCount);
            w.WriteNumber("connected", Volatile.Read(ref connected));
            w.WriteStartArray("publisherPackets");
            foreach (long p in pubPackets)
            {
                w.WriteNumberValue(p);
            }

            w.WriteEndArray();
            w.WriteNumber("seconds", window.Elapsed.TotalSeconds);
            w.WriteNumber("cpuSeconds", cpuUsed.TotalSeconds);
            w.WriteNumber("kernelDrops", drops);
            w.WriteNumber("retransmittedReceived", rtx);
            w.WriteNumber("packetsLost", lost);
            w.WriteEndObject();
        }

        Say(output, "result " + Encoding.UTF8.GetString(json.ToArray()));
        try
        {
            ExpectLine(input, "quit", SignallingTimeout, "the forwarder");
        }
        catch (BenchFailure)
        {
            // the forwarder went away: exit all the same
        }

        for (int i = 0; i < n; i++)
        {
            subHost.Remove(handles[i]);
            subs[i].Dispose();
        }

        pubHost.Remove(pubHandle);
        pub.Dispose();
        return 0;
    }

    /// <summary>Writes the offer of <paramref name="session"/> as "<paramref name="word"/> BASE64" and applies the answer read back.</summary>
    private static void Negotiate(UdpSessionHandle handle, WebRtcSession session, string word, TextReader input, TextWriter output)
    {
        string offer = handle.Invoke(session.CreateOffer);
        Say(output, word + " " + Convert.ToBase64String(Encoding.UTF8.GetBytes(offer)));
        string answer = Decode(ExpectLine(input, "answer", SignallingTimeout, "the forwarder"));
        handle.Invoke(now =>
        {
            if (!session.TryApplyAnswer(answer, now, out JsepError? e))
            {
                throw new BenchFailure($"{word} answer refused: {e}");
            }
        });
    }

    private static void Say(TextWriter output, string line)
    {
        output.WriteLine(line);
        output.Flush();
    }
}
