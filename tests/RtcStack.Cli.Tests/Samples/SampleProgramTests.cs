using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RtcStack.Cli.Serve;
using RtcStack.Opus;
using RtcStack.Opus.Ogg;
using RtcStack.Rtp;
using RtcStack.Rtp.Capture;
using RtcStack.Rtp.Rtcp;
using RtcStack.Srtp;
using RtcStack.TestSupport;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using Xunit;

namespace RtcStack.Cli.Tests.Samples;

/// <summary>
/// Runs each program under samples/ (built with the solution; this project references them so they are built first)
/// as a user would, <c>dotnet samples/X/bin/CONFIG/net10.0/X.dll ...</c>, and checks what it did.
/// </summary>
[Trait("Category", "Samples")]
public sealed class SampleProgramTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public void SrtpOnly_RoundTripsEveryPacket_AndRefusesTamperedAndReplayed()
    {
        ProcessRunner.Result r = RunSample("SrtpOnly", "40");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"alice offers: a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}\n", r.StdOut);
        Assert.Contains("bob: 40 SRTP packets received, 40 unprotected, 40 with the payload Alice sent, 0 refused", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("alice: SRTCP from bob Ok", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("tampered packet: AuthenticationFailed", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("original packet: Ok", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("replayed packet: Replayed", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void CaptureAnalysis_DecryptsEachDirectionWithItsKey_AndCountsLossAndFailures()
    {
        // A capture written here with known content: 100 packets A→B under key A with sequence numbers 10 and 11 left
        // out (2 lost), 80 packets B→A under key B with one changed on the way (1 authentication failure, which then
        // also counts as lost), one SRTCP packet from A, and a STUN message that must be skipped.
        const SrtpProfile profile = SrtpProfile.Aes128CmHmacSha1_80;
        byte[] keyA = [.. Enumerable.Range(1, 30).Select(i => (byte)i)], keyB = [.. Enumerable.Range(101, 30).Select(i => (byte)i)];
        var forward = new UdpFlow(IPAddress.Parse("192.0.2.1"), 5000, IPAddress.Parse("192.0.2.2"), 6000);
        using var dir = new TempDir();
        string pcap = dir.File("call.pcap");
        using (var a = new SrtpContext(profile, keyA.AsSpan(0, 16), keyA.AsSpan(16)))
        using (var b = new SrtpContext(profile, keyB.AsSpan(0, 16), keyB.AsSpan(16)))
        using (PcapWriter writer = PcapWriter.Create(pcap))
        {
            long t = 1_700_000_000_000_000_000;
            writer.WriteUdp(t, forward, [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
            byte[] wire = new byte[300];
            for (int i = 0; i < 100; i++)
            {
                int n = RtpPacketWriter.Write(wire, new RtpHeader(111, (ushort)(100 + i), (uint)(i * 960), 0xA0A0A0A0), new byte[80]);
                Assert.Equal(SrtpStatus.Ok, a.ProtectRtp(wire, n, out int len));
                if (i is not (10 or 11))
                {
                    writer.WriteUdp(t + (i * 20_000_000L), forward, wire.AsSpan(0, len));
                }
            }

            for (int i = 0; i < 80; i++)
            {
                int n = RtpPacketWriter.Write(wire, new RtpHeader(111, (ushort)(5000 + i), (uint)(i * 960), 0xB0B0B0B0), new byte[60]);
                Assert.Equal(SrtpStatus.Ok, b.ProtectRtp(wire, n, out int len));
                if (i == 40)
                {
                    wire[30] ^= 0x80;
                }

                writer.WriteUdp(t + 5_000_000 + (i * 20_000_000L), forward.Reverse(), wire.AsSpan(0, len));
            }

            var rtcp = new RtcpCompoundWriter(wire);
            Assert.True(rtcp.TryAddReceiverReport(0xA0A0A0A0, []));
            Assert.True(rtcp.TryAddCname(0xA0A0A0A0, "a"u8));
            Assert.Equal(SrtpStatus.Ok, a.ProtectRtcp(wire, rtcp.Length, out int rl));
            writer.WriteUdp(t + 3_000_000_000L, forward, wire.AsSpan(0, rl));
        }

        ProcessRunner.Result r = RunSample("CaptureAnalysis", pcap, "AES_CM_128_HMAC_SHA1_80", Convert.ToBase64String(keyA), Convert.ToBase64String(keyB));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(": 180 records, 177 RTP and 1 RTCP packets decrypted", r.StdOut, StringComparison.Ordinal);
        string[] rowA = Row(r.StdOut, "0xA0A0A0A0"), rowB = Row(r.StdOut, "0xB0B0B0B0");
        Assert.Equal(["192.0.2.1:5000", "192.0.2.2:6000", "0xA0A0A0A0", "111", "98", "2", "0", "0"], rowA[..8]);
        Assert.Equal("0", rowA[^1]);
        Assert.Equal(["192.0.2.2:6000", "192.0.2.1:5000", "0xB0B0B0B0", "111", "79", "1", "0", "0"], rowB[..8]);
        Assert.Equal("1", rowB[^1]);

        // One key only: the other direction cannot be read and is reported, not hidden.
        ProcessRunner.Result one = RunSample("CaptureAnalysis", pcap, "AES_CM_128_HMAC_SHA1_80", Convert.ToBase64String(keyA));
        Assert.Contains("0xB0B0B0B0: 80 packets failed authentication with every key", one.StdOut, StringComparison.Ordinal);

        // Bad input: a wrong key length and a missing file are errors with exit code 2, not exceptions.
        ProcessRunner.Result badKey = RunSample("CaptureAnalysis", pcap, "AES_CM_128_HMAC_SHA1_80", Convert.ToBase64String(keyA[..20]));
        Assert.Equal(2, badKey.ExitCode);
        Assert.Contains("needs 16 + 14 bytes", badKey.StdErr, StringComparison.Ordinal);
        ProcessRunner.Result missing = RunSample("CaptureAnalysis", dir.File("none.pcap"), "AES_CM_128_HMAC_SHA1_80", Convert.ToBase64String(keyA));
        Assert.Equal(2, missing.ExitCode);
        Assert.DoesNotContain("Unhandled", missing.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc8867FromCode_WritesTheCaseAsCsvAndSvg()
    {
        using var dir = new TempDir();
        ProcessRunner.Result r = RunSample("Rfc8867FromCode", dir.Path, "gcc", "1");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"flow1 \(gcc, seed 1\): sent \d+ kbit/s, received \d+ kbit/s", r.StdOut);
        string[] lines = File.ReadAllLines(dir.File("case-5.1.csv"));
        Assert.Equal("time_s,capacity_kbps,target_kbps,send_kbps,receive_kbps,queue_delay_p50_ms", lines[0]);
        Assert.Equal(501, lines.Length); // 100 s in 200 ms steps
        Dictionary<string, string[]> byTime = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[0]);
        Assert.All(byTime.Values, c => Assert.Equal(6, c.Length));

        // RFC 8867 §5.1's capacity schedule: 1 Mbit/s, 2.5 from 40 s, 0.6 from 60 s, 1 from 80 s.
        Assert.Equal("1000.0", byTime["20.0"][1]);
        Assert.Equal("2500.0", byTime["50.0"][1]);
        Assert.Equal("600.0", byTime["70.0"][1]);
        Assert.Equal("1000.0", byTime["90.0"][1]);

        // The flow follows the capacity: it receives something in every phase, and never much more than the link carries.
        foreach (string t in (string[])["20.0", "50.0", "70.0", "90.0"])
        {
            double received = double.Parse(byTime[t][4], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(received, 100, double.Parse(byTime[t][1], System.Globalization.CultureInfo.InvariantCulture) * 1.2);
        }

        string svg = File.ReadAllText(dir.File("case-5.1.svg"));
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", svg, StringComparison.Ordinal);
        Assert.Equal(3, svg.Split("<polyline").Length - 1);
    }

    [Fact]
    public async Task WhipPublishAndWhepPlay_AgainstRtcstackServe()
    {
        // `rtcstack serve` in-process: tone mode sends a 440 Hz sine to WHEP players; --record writes what WHIP publishers send.
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("rec"));
        await using var serve = new ServeApp(new ServeOptions { Port = 0, Mode = ServeMode.Tone, RecordDirectory = new DirectoryInfo(dir.File("rec")) });
        await serve.StartAsync();
        string baseUrl = serve.Urls.First();

        // WhepPlay: 3 s of the stream into a WAV file, which must hold the 440 Hz tone.
        string played = dir.File("played.wav");
        ProcessRunner.Result play = RunSample("WhepPlay", baseUrl + "/whep", played, "3");
        output.WriteLine(play.StdOut + play.StdErr);
        Assert.Equal(0, play.ExitCode);
        short[] pcm = ReadWavMono48k(played);
        Assert.InRange(pcm.Length, 48000 * 2, 48000 * 4);
        AssertTone(pcm.AsSpan(24000), 440);

        // WhipPublish: a 660 Hz WAV file made here; serve records it as Ogg Opus, which must decode to 660 Hz.
        string source = dir.File("tone660.wav");
        short[] tone = new short[48000 * 3];
        Goertzel.Tone(tone, 660, 48000, 0);
        WriteWavMono48k(source, tone);
        ProcessRunner.Result publish = RunSample("WhipPublish", baseUrl + "/whip", source);
        output.WriteLine(publish.StdOut + publish.StdErr);
        Assert.Equal(0, publish.ExitCode);
        Assert.Contains("sent 150 Opus frames (3.0 s)", publish.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"DELETE http://127\.0\.0\.1:\d+/whip/\w+: 200", publish.StdOut);
        string recording = Assert.Single(Directory.GetFiles(dir.File("rec"), "*.opus"));
        await WaitForAsync(() => new FileInfo(recording).Length > 1000, TimeSpan.FromSeconds(5));
        short[] recorded = DecodeOggOpus(recording);
        Assert.InRange(recorded.Length, 48000 * 2, 48000 * 4);
        AssertTone(recorded.AsSpan(24000, 48000), 660);

        // Refusals are exit codes with a reason, not exceptions.
        ProcessRunner.Result notWav = RunSample("WhipPublish", baseUrl + "/whip", dir.File("none.wav"));
        Assert.Equal(2, notWav.ExitCode);
        Assert.DoesNotContain("Unhandled", notWav.StdErr, StringComparison.Ordinal);
        ProcessRunner.Result refused = RunSample("WhepPlay", baseUrl + "/nothing-here", dir.File("x.wav"), "1");
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("error: ", refused.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EchoPeer_SendsBackWhatAPeerSends()
    {
        // The sample as a process on a free port; our own WebRtcSession plays the browser's part (same offer/answer
        // through the sample's /call route) and sends a 660 Hz tone, which must come back.
        using Process echo = StartSample("EchoPeer", "0");
        try
        {
            string banner = await echo.StandardOutput.ReadLineAsync().WaitAsync(s_timeout) ?? "";
            Assert.StartsWith("EchoPeer listening on http://127.0.0.1:", banner, StringComparison.Ordinal);
            var baseUrl = new Uri(banner["EchoPeer listening on ".Length..]);
            using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
            Assert.Contains("RTCPeerConnection", await http.GetStringAsync(new Uri("/", UriKind.Relative)), StringComparison.Ordinal);
            var echoOutput = new List<string>();
            _ = Task.Run(async () =>
            {
                while (await echo.StandardOutput.ReadLineAsync() is string line)
                {
                    lock (echoOutput)
                    {
                        echoOutput.Add(line);
                    }
                }
            });

            using var host = new UdpSessionHost(new UdpSessionHostOptions { BindAddress = IPAddress.Loopback, IncludeLoopback = true });
            using var session = new WebRtcSession();
            using var receiver = new OpusAudioReceiver();
            var heard = new List<short>();
            int frames = 0;
            byte[] payload = new byte[WebRtcSession.MaxDatagramSize];
            short[] pcm = new short[receiver.MaxOutputSamples];
            UdpSessionHandle handle = host.Add(session, (_, _) =>
            {
                while (session.TryPollEvent(out _))
                {
                    // Polling events also moves decrypted media into the queue TryPollMedia reads.
                }

                while (session.TryPollMedia(payload, out ReceivedMedia m))
                {
                    frames++;
                    heard.AddRange(pcm.AsSpan(0, receiver.Decode(payload.AsSpan(0, m.Length), m, pcm)));
                }
            });
            (string offer, Transceiver audio) = handle.Invoke(now =>
            {
                Transceiver t = session.AddTransceiver(MediaKind.Audio);
                session.CreateOffer(now);
                return (session.GetLocalDescription(), t);
            });
            using var content = new StringContent(offer, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
            using HttpResponseMessage answered = await http.PostAsync(new Uri("/call", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.Created, answered.StatusCode);
            string answer = await answered.Content.ReadAsStringAsync();
            Assert.True(handle.Invoke(now => session.TryApplyAnswer(answer, now, out _)));
            await WaitForAsync(() => handle.Invoke(_ => session.State) == PeerConnectionState.Connected, TimeSpan.FromSeconds(15));

            using OpusAudioSender sender = handle.Invoke(_ => new OpusAudioSender(session, audio));
            short[] frame = new short[960];
            TimeSpan start = handle.Invoke(now => now);
            for (int sent = 0; sent < 150;)
            {
                handle.Invoke(now =>
                {
                    for (; sent < 150 && now - start >= TimeSpan.FromMilliseconds(20 * sent); sent++)
                    {
                        Goertzel.Tone(frame, 660, 48000, sent * 960L);
                        sender.Send(frame, now);
                    }
                });
                await Task.Delay(10);
            }

            await Task.Delay(500);
            short[] back = handle.Invoke(_ => heard.ToArray());

            output.WriteLine(handle.Invoke(_ =>
                $"sent {sender.FramesSent} frames; {frames} frames and {back.Length} samples came back; transport sent {session.Transport.Counters.PacketsSent}, " +
                $"received {session.Transport.Counters.PacketsReceived} packets; unrouted {session.MediaCounters.UnroutedRtp}, unknown PT {session.MediaCounters.UnknownPayloadType}"));
            Assert.InRange(back.Length, 48000 * 2, 48000 * 4);
            AssertTone(back.AsSpan(24000, 48000), 660);

            using HttpResponseMessage deleted = await http.DeleteAsync(answered.Headers.Location!);
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            using HttpResponseMessage again = await http.DeleteAsync(answered.Headers.Location!);
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

            // An offer the session cannot use is refused with 400 and a reason.
            using var junk = new StringContent("v=0\r\nthis is not SDP\r\n", Encoding.UTF8);
            using HttpResponseMessage refused = await http.PostAsync(new Uri("/call", UriKind.Relative), junk);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            host.Remove(handle);
            await WaitForAsync(() => { lock (echoOutput) { return echoOutput.Any(l => l.EndsWith(": ended", StringComparison.Ordinal)); } }, TimeSpan.FromSeconds(5));
            lock (echoOutput)
            {
                Assert.Contains(echoOutput, l => l.EndsWith(": answered", StringComparison.Ordinal));
                Assert.Contains("call: Connected", echoOutput);
            }
        }
        finally
        {
            ProcessRunner.StopAndDispose(echo);
        }
    }

    [Fact]
    public async Task DataChannelChat_RelaysEachMembersMessagesToTheOthers()
    {
        // Two members, each our own WebRtcSession playing the page's part: join, open a "chat" channel, talk.
        using Process chat = StartSample("DataChannelChat", "0");
        try
        {
            string banner = await chat.StandardOutput.ReadLineAsync().WaitAsync(s_timeout) ?? "";
            Assert.StartsWith("DataChannelChat listening on http://127.0.0.1:", banner, StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = new Uri(banner["DataChannelChat listening on ".Length..]), Timeout = TimeSpan.FromSeconds(30) };
            using var host = new UdpSessionHost(new UdpSessionHostOptions { BindAddress = IPAddress.Loopback, IncludeLoopback = true });
            // Messages go only to members whose channel is open (nothing is kept for later): alice's channel must be
            // open before bob joins, or the sample rightly drops "* bob joined" for her.
            await using ChatMember alice = await ChatMember.JoinAsync(host, http, "alice");
            await WaitForAsync(() => alice.IsOpen, TimeSpan.FromSeconds(15));
            await using ChatMember bob = await ChatMember.JoinAsync(host, http, "bob");
            await WaitForAsync(() => bob.IsOpen, TimeSpan.FromSeconds(15));
            await WaitForAsync(() => alice.Heard.Contains("* bob joined"), TimeSpan.FromSeconds(5));

            alice.Say("hello bob");
            bob.Say("hi alice");
            alice.Say("ünïcödé ✓");
            await WaitForAsync(() => bob.Heard.Count(l => l.StartsWith("alice: ", StringComparison.Ordinal)) == 2 && alice.Heard.Contains("bob: hi alice"), TimeSpan.FromSeconds(10));
            Assert.Equal(["alice: hello bob", "alice: ünïcödé ✓"], bob.Heard.Where(l => l.StartsWith("alice: ", StringComparison.Ordinal)));
            Assert.DoesNotContain(alice.Heard, l => l.StartsWith("alice: ", StringComparison.Ordinal)); // not echoed to the sender
            Assert.DoesNotContain(bob.Heard, l => l.StartsWith("bob: ", StringComparison.Ordinal));

            // A join without a name is refused with a reason.
            using var offer = new StringContent("v=0\r\n", Encoding.UTF8);
            using HttpResponseMessage refused = await http.PostAsync(new Uri("/join", UriKind.Relative), offer);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

            await bob.LeaveAsync();
            await WaitForAsync(() => alice.Heard.Contains("* bob left"), TimeSpan.FromSeconds(5));
        }
        finally
        {
            ProcessRunner.StopAndDispose(chat);
        }
    }

    /// <summary>One chat member: a session on the test's UDP host that opens the "chat" channel once SCTP is up.</summary>
    private sealed class ChatMember : IAsyncDisposable
    {
        private readonly UdpSessionHost _host;
        private readonly HttpClient _http;
        private readonly WebRtcSession _session = new();
        private readonly List<string> _heard = [];
        private UdpSessionHandle _handle = null!;
        private RtcStack.Sctp.DataChannels.DataChannel? _chat;
        private Uri? _location;

        private ChatMember(UdpSessionHost host, HttpClient http)
        {
            _host = host;
            _http = http;
        }

        public bool IsOpen => _handle.Invoke(_ => _chat?.State == RtcStack.Sctp.DataChannels.DataChannelState.Open);

        public List<string> Heard => _handle.Invoke(_ => _heard.ToList());

        public static async Task<ChatMember> JoinAsync(UdpSessionHost host, HttpClient http, string name)
        {
            var m = new ChatMember(host, http);
            m._handle = host.Add(m._session, (_, now) =>
            {
                while (m._session.TryPollEvent(out SessionEvent? e))
                {
                    if (e is SessionDataChannelEvent { Event: RtcStack.Sctp.DataChannels.DataChannelTransportConnectedEvent })
                    {
                        m._chat = m._session.CreateDataChannel(new RtcStack.Sctp.DataChannels.DataChannelOptions { Label = "chat" }, now);
                    }
                    else if (e is SessionDataChannelEvent { Event: RtcStack.Sctp.DataChannels.DataChannelMessageEvent message })
                    {
                        m._heard.Add(Encoding.UTF8.GetString(message.Data));
                    }
                }
            });
            string offer = m._handle.Invoke(now =>
            {
                m._session.AddDataChannels();
                m._session.CreateOffer(now);
                return m._session.GetLocalDescription();
            });
            using var content = new StringContent(offer, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
            using HttpResponseMessage r = await http.PostAsync(new Uri("/join?name=" + name, UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            m._location = r.Headers.Location;
            string answer = await r.Content.ReadAsStringAsync();
            Assert.True(m._handle.Invoke(now => m._session.TryApplyAnswer(answer, now, out _)));
            return m;
        }

        public void Say(string text) => _handle.Invoke(now => _session.SendDataChannelText(_chat!, text, now));

        public async Task LeaveAsync()
        {
            if (_location is not null)
            {
                using HttpResponseMessage r = await _http.DeleteAsync(_location);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                _location = null;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await LeaveAsync();
            _host.Remove(_handle);
            _session.Dispose();
        }
    }

    [Fact]
    public void VideoForwarding_GivesEachViewerEveryFrameWholeOnTheLayerItsEstimateAllows()
    {
        // Three viewers over loopback for 4 s: viewer 1 sends no REMB (top layer f), viewer 2 600 kbit/s (h, about
        // 200 kbit/s), viewer 3 150 kbit/s (q, about 80 kbit/s).
        ProcessRunner.Result r = RunSample("VideoForwarding", "3", "4");
        output.WriteLine(r.StdOut + r.StdErr);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("connected: a publisher, the SFU and 3 viewer(s)", r.StdOut, StringComparison.Ordinal);
        foreach ((int viewer, string layer) in (IEnumerable<(int, string)>)[(1, "f"), (2, "h"), (3, "q")])
        {
            // "viewer 2: 118 frames (118 whole, in order), layers f->h, 199 audio packets, estimate 600 kbit/s"
            System.Text.RegularExpressions.Match m = System.Text.RegularExpressions.Regex.Match(r.StdOut,
                $@"viewer {viewer}: (\d+) frames \((\d+) whole, in order\), layers ([qhf>-]+), (\d+) audio packets");
            Assert.True(m.Success, $"no line for viewer {viewer}");
            int frames = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(frames, int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(frames >= 90, $"viewer {viewer}: {frames} frames in 4 s at 30 a second");
            Assert.EndsWith(layer, m.Groups[3].Value, StringComparison.Ordinal);
            Assert.True(int.Parse(m.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture) >= 150, $"viewer {viewer}: audio {m.Groups[4].Value}");
        }
    }

    private static void AssertTone(ReadOnlySpan<short> samples, double expected)
    {
        (double frequency, double ratio) = Goertzel.Strongest(samples, 48000, [440, 660, 1000, 1500]);
        Assert.Equal(expected, frequency);
        Assert.True(ratio > 100, $"tone ratio {ratio} (NaN: no other power at all, which a decoded tone never has)");
        double amplitude = Goertzel.Amplitude(Goertzel.Power(samples, expected, 48000), samples.Length);
        Assert.True(amplitude > 0.1, $"amplitude {amplitude} of full scale; 0.3 was sent");
    }

    private static string[] Row(string stdout, string ssrc)
        => stdout.Split('\n').Single(l => l.Contains(ssrc, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < timeout, $"condition not met in {timeout}");
            await Task.Delay(50);
        }
    }

    /// <summary>samples/NAME/bin/CONFIG/net10.0/NAME.dll, built with the same configuration as this test assembly.</summary>
    private static string SampleDll(string name)
    {
        string config = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<config>/net10.0
        string dll = Path.Combine(RepoPaths.Root, "samples", name, "bin", config, "net10.0", name + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (the samples are in RtcStack.sln)");
        return dll;
    }

    private static ProcessRunner.Result RunSample(string name, params string[] args)
        => ProcessRunner.Run("dotnet", [SampleDll(name), .. args], s_timeout);

    private static Process StartSample(string name, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(SampleDll(name));
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException("could not start " + name);
    }

    private static short[] ReadWavMono48k(string path)
    {
        byte[] wav = File.ReadAllBytes(path);
        Assert.Equal("RIFF", Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal("WAVEfmt ", Encoding.ASCII.GetString(wav, 8, 8));
        Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(22)));     // mono
        Assert.Equal(48000, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)));
        Assert.Equal(16, BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(34)));
        int bytes = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(40));
        Assert.Equal(wav.Length - 44, bytes);
        var pcm = new short[bytes / 2];
        for (int i = 0; i < pcm.Length; i++)
        {
            pcm[i] = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(44 + (i * 2)));
        }

        return pcm;
    }

    /// <summary>Writes a WAV file the way any audio tool does (written here, independently of the samples).</summary>
    private static void WriteWavMono48k(string path, short[] pcm)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write("RIFF"u8);
        w.Write(36 + (pcm.Length * 2));
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)1);
        w.Write(48000);
        w.Write(96000);
        w.Write((short)2);
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(pcm.Length * 2);
        foreach (short s in pcm)
        {
            w.Write(s);
        }
    }

    private static short[] DecodeOggOpus(string path)
    {
        using FileStream file = File.OpenRead(path);
        using var reader = new OggOpusReader(file);
        Assert.Equal(OggOpusReadResult.Packet, reader.ReadHeaders());
        using IOpusDecoder decoder = OpusCodecProvider.Default.CreateDecoder(48000, 1);
        var pcm = new List<short>();
        short[] frame = new short[5760];
        while (reader.Read(out OggOpusPacket packet) == OggOpusReadResult.Packet)
        {
            if (packet.IsValid)
            {
                pcm.AddRange(frame.AsSpan(0, decoder.Decode(packet.Data.Span, frame)));
            }
        }

        return [.. pcm];
    }
}
