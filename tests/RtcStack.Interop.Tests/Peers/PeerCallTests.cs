using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RtcStack.Interop.Tests.Sdp;
using RtcStack.Interop.Tests.WebRtc;
using RtcStack.Sdp;
using RtcStack.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.Peers;

/// <summary>
/// Real WebRTC stacks other than the browsers publish Opus over WHIP (RFC 9725) to <c>rtcstack serve</c> and get
/// audio back: our own small client programs on Pion v3 (Go, built here from Debian's sources, offline) and on
/// GStreamer 1.22's webrtcbin (Python through gi). The peer sends 440 Hz; serve echoes it or sends 660 Hz; the
/// tone is checked both ways as in the browser cells (serve's recording, and what the peer received). Everything
/// runs on 127.0.0.1 and every process is stopped by PID. Each cell adds a row to specs/interop-matrix.md; with
/// <c>RTCSTACK_SDP_CAPTURE_DIR</c> set, the echo cells save the peer's offer and serve's answer there (the SDP
/// corpus in tests/RtcStack.Sdp.Tests/Fixtures).
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class PeerCallTests : IClassFixture<PionPeerBuild>, IClassFixture<PeerMatrix>
{
    private const int Seconds = 3;
    private const double PeerHz = 440;
    private const double ServeToneHz = 660;
    private static readonly TimeSpan s_peerTimeout = TimeSpan.FromSeconds(40);

    private readonly PionPeerBuild _pion;
    private readonly PeerMatrix _matrix;
    private readonly ITestOutputHelper _output;

    public PeerCallTests(PionPeerBuild pion, PeerMatrix matrix, ITestOutputHelper output)
    {
        _pion = pion;
        _matrix = matrix;
        _output = output;
    }

    [Theory]
    [InlineData("echo")]
    [InlineData("tone")]
    public async Task PionPublishesOpusOverWhipAndHearsServe(string mode)
    {
        string binary = await _pion.GetBinaryAsync();
        _output.WriteLine($"Pion {_pion.PionVersion} ({_pion.GoVersion}); peer built in {_pion.BuildTime.TotalSeconds:0.0} s (first test of the class only)");
        string version = _pion.PionVersion.Split('-')[0];
        await RunCellAsync($"Pion {version} (Go)", $"pion-{version}", mode, new PeerTraits(TransportCc: true, RoundTripTime: true), async (whip, dir) =>
        {
            string tone = Path.Combine(dir, "tone.opus");
            int frames = PeerAudio.WriteToneOgg(tone, PeerHz, Seconds);
            string received = Path.Combine(dir, "received.rtp");
            PeerProcess.Result r = await PeerProcess.RunAsync(binary,
                ["-whip", whip, "-in", tone, "-out", received, "-offer-out", Path.Combine(dir, "offer.sdp"), "-answer-out", Path.Combine(dir, "answer.sdp")],
                s_peerTimeout);
            return new PeerRun(r, () =>
            {
                short[] audio = PeerAudio.DecodeRtpDump(received, out int packets, out byte pt);
                _output.WriteLine($"Pion wrote {packets} RTP packets (PT {pt}) of the {frames} it was sent back");
                Assert.Equal(111, pt);
                return audio;
            });
        }, summary =>
        {
            Assert.Equal("audio/opus", summary.GetProperty("receivedCodec").GetString());
            Assert.Equal("connected", summary.GetProperty("dtlsState").GetString());
            // The WHIP client offers, so it is the controlling ICE agent (RFC 8445 §6.1.1).
            Assert.Equal("controlling", summary.GetProperty("iceRole").GetString());
        });
    }

    [Theory]
    [InlineData("echo")]
    [InlineData("tone")]
    public async Task GStreamerWebrtcbinPublishesOpusOverWhipAndHearsServe(string mode)
    {
        // Debian's interpreter: python3-gi and the GStreamer typelibs are installed for it, not for a pyenv one on PATH.
        string python = ExternalTool.Require("/usr/bin/python3", "python3-gi");
        string script = Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "Peers", "gstreamer", "whip_peer.py");
        string version = ProcessRunner.Run("dpkg-query", ["-W", "-f=${Version}", "gstreamer1.0-plugins-bad"]).StdOut.Trim().Split('-')[0];
        await RunCellAsync($"GStreamer {version} webrtcbin (Python)", $"gstreamer-{version}", mode, new PeerTraits(TransportCc: false, RoundTripTime: false), async (whip, dir) =>
        {
            string received = Path.Combine(dir, "received.wav");
            PeerProcess.Result r = await PeerProcess.RunAsync(python,
                [script, "--whip", whip, "--tone-hz", PeerHz.ToString(CultureInfo.InvariantCulture), "--seconds", Seconds.ToString(CultureInfo.InvariantCulture),
                    "--out", received, "--offer-out", Path.Combine(dir, "offer.sdp"), "--answer-out", Path.Combine(dir, "answer.sdp")],
                s_peerTimeout);
            if (r.ExitCode != 0 && (r.StdErr.Contains("ModuleNotFoundError", StringComparison.Ordinal) || r.StdErr.Contains("ValueError: Namespace", StringComparison.Ordinal)
                || r.StdOut.Contains("no element", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException(
                    "GStreamer, its plugins or its Python bindings are incomplete (Debian packages python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0 gir1.2-nice-0.1 " +
                    "gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice); ./test.sh installs them" +
                    (ExternalTool.IsCI ? " [CI=true: outside programs are required]" : "") + "\n" + r.StdOut + r.StdErr);
            }

            return new PeerRun(r, () => PeerAudio.ReadWav(received));
        }, summary =>
        {
            Assert.Equal("GStreamer " + version, summary.GetProperty("gstreamer").GetString());
            Assert.Contains("encoding-name=(string)OPUS", summary.GetProperty("receivedCaps").GetString(), StringComparison.Ordinal);
        });
    }

    /// <summary>What one peer run left behind: its process result and a way to decode what it received.</summary>
    private sealed record PeerRun(PeerProcess.Result Process, Func<short[]> ReceivedAudio);

    /// <summary>What a peer is known to do beyond the basics, so the test can require it of serve's side.</summary>
    /// <param name="TransportCc">The peer sends transport-wide sequence numbers and TWCC feedback (Pion with its TWCC interceptors); GStreamer 1.22 offers transport-cc feedback without the header extension, so there is none.</param>
    /// <param name="RoundTripTime">The peer's report blocks echo our SR timing (LSR/DLSR), so serve measures a round-trip time; GStreamer's first reports may come before our first SR.</param>
    private sealed record PeerTraits(bool TransportCc, bool RoundTripTime);

    private async Task RunCellAsync(string peerName, string fixturePrefix, string mode, PeerTraits traits, Func<string, string, Task<PeerRun>> runPeer, Action<JsonElement>? checkSummary = null)
    {
        LibOpusReference.Require();
        string dir = Directory.CreateTempSubdirectory("rtcstack-peer-").FullName;
        var clock = Stopwatch.StartNew();
        JsonElement summary = default, call = default;
        string? failure = null;
        var media = new StringBuilder("-");
        try
        {
            string[] serveArgs = mode == "tone" ? ["--mode", "tone", "--tone-hz", ServeToneHz.ToString(CultureInfo.InvariantCulture)] : ["--mode", "echo"];
            JsonElement status;
            PeerRun run;
            int serveExit;
            await using (ServeProcess serve = await ServeProcess.StartAsync(Path.Combine(dir, "record"), serveArgs))
            {
                TimeSpan started = clock.Elapsed;
                try
                {
                    run = await runPeer(new Uri(serve.BaseAddress, "/whip").ToString(), dir);
                    summary = LastJsonLine(run.Process);
                    _output.WriteLine($"serve started in {started.TotalSeconds:0.0} s; peer ran {run.Process.Elapsed.TotalSeconds:0.0} s: {summary}");
                    Assert.True(run.Process.ExitCode == 0, $"{peerName} failed ({run.Process.ExitCode}): {run.Process.StdOut}\n{run.Process.StdErr}\nserve:\n{serve.Log}");
                    checkSummary?.Invoke(summary);
                    status = await serve.StatusAsync();
                }
                finally
                {
                    serveExit = await serve.StopAsync();
                    _output.WriteLine($"serve (PID {serve.Pid}) exited with {serveExit}:\n{serve.Log}");
                }
            }

            Assert.Equal(0, serveExit);

            // serve ran with its default --dtls auto (DTLS 1.3 offered and accepted, 1.2 for peers without it). Pion v3
            // and GStreamer's webrtcbin have no DTLS 1.3, so the call below ran our fallback to DTLS 1.2 (CheckServeSide
            // requires tlsVersion FEFD): a broken fallback fails the call, and a serve pinned to 1.2 by default would
            // no longer test it.
            Assert.Equal("auto", status.GetProperty("dtls").GetString());

            // The peer ended its call with DELETE: serve lists it among the finished calls, with its last stats.
            call = Assert.Single(status.GetProperty("calls").EnumerateArray().Concat(status.GetProperty("finished").EnumerateArray()).ToArray());
            CheckSdp(peerName, fixturePrefix, mode, dir);
            CheckServeSide(mode, traits, summary, call, out long peerSent, out long serveSent);

            // Peer → serve: what serve recorded.
            string recording = Assert.Single(Directory.GetFiles(Path.Combine(dir, "record"), "*.opus"));
            short[] heardByServe = PeerAudio.DecodeOgg(recording, out int recorded);
            (double serveHeard, double serveRatio, double servePeak) = PeerAudio.CheckTone(heardByServe, PeerHz, "serve");
            Assert.True(recorded >= peerSent * 9 / 10, $"serve recorded {recorded} packets of the {peerSent} the peer sent");

            // Serve → peer: the echo or serve's tone.
            double expected = mode == "tone" ? ServeToneHz : PeerHz;
            short[] heardByPeer = run.ReceivedAudio();
            (double peerHeard, double peerRatio, double peerPeak) = PeerAudio.CheckTone(heardByPeer, expected, peerName);
            long peerReceived = summary.GetProperty("packetsReceived").GetInt64();
            Assert.True(peerReceived >= serveSent * 9 / 10, $"{peerName} received {peerReceived} of the {serveSent} packets serve sent");
            string line = string.Create(CultureInfo.InvariantCulture,
                $"peer→us {peerSent} pkts, we heard {serveHeard:0} Hz (peak {servePeak:0} Hz, ratio {serveRatio:0}); us→peer {serveSent} pkts, peer heard {peerHeard:0} Hz (peak {peerPeak:0} Hz, ratio {peerRatio:0})");
            media.Clear().Append(line);
            _output.WriteLine(line);
            _output.WriteLine($"cell took {clock.Elapsed.TotalSeconds:0.0} s");
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e)
        {
            failure = e.Message.Split('\n')[0];
            _output.WriteLine("kept for inspection: " + dir);
            throw;
        }
        finally
        {
            _matrix.Add(Row(peerName, mode, failure, summary, call, media.ToString()));
        }
    }

    private void CheckServeSide(string mode, PeerTraits traits, JsonElement summary, JsonElement call, out long peerSent, out long serveSent)
    {
        Assert.True(summary.GetProperty("connected").GetBoolean());
        Assert.Equal(201, summary.GetProperty("whipStatus").GetInt32());
        Assert.Contains(summary.GetProperty("deleteStatus").GetInt32(), new[] { 200, 204 });
        peerSent = summary.GetProperty("packetsSent").GetInt64();
        Assert.True(peerSent >= 50 * Seconds * 9 / 10, $"the peer sent {peerSent} packets");

        Assert.Equal("whip", call.GetProperty("kind").GetString());
        Assert.True(call.TryGetProperty("connectedAfterMs", out _), "serve never connected: " + call);
        JsonElement stats = call.GetProperty("stats");
        JsonElement transport = Find(stats, "transport");
        JsonElement inbound = Find(stats, "inbound-rtp");
        JsonElement outbound = Find(stats, "outbound-rtp");
        _output.WriteLine($"serve: {transport.ToString().Replace("\n", " ", StringComparison.Ordinal)}");
        // RFC 9147 §5.3 / RFC 8446 §D.1-§D.2: these peers offer or accept only DTLS 1.2, so the fallback negotiated 1.2.
        Assert.Equal("FEFD", transport.GetProperty("tlsVersion").GetString());
        Assert.Equal(0, transport.GetProperty("srtpAuthenticationFailures").GetInt64());
        Assert.Equal(0, transport.GetProperty("srtcpFailures").GetInt64());
        Assert.True(transport.GetProperty("senderReportsReceived").GetInt64() >= 1, "no RTCP SR from the peer");
        // The peer's report blocks about our stream reached us.
        JsonElement remoteInbound = Find(stats, "remote-inbound-rtp");
        _output.WriteLine($"serve's remote-inbound-rtp: {remoteInbound.ToString().Replace("\n", " ", StringComparison.Ordinal)}");
        Assert.True(remoteInbound.GetProperty("reportsReceived").GetInt64() >= 1);
        if (traits.RoundTripTime)
        {
            Assert.True(remoteInbound.GetProperty("roundTripTimeMeasurements").GetInt64() >= 1, "no round-trip time from the peer's report blocks");
        }

        if (traits.TransportCc)
        {
            Assert.True(transport.GetProperty("transportFeedbackSent").GetInt64() >= 10, "serve sent too little TWCC feedback about the peer's stream");
            Assert.True(transport.GetProperty("transportFeedbackReceived").GetInt64() >= 10, "the peer sent too little TWCC feedback about serve's stream");
        }
        long received = inbound.GetProperty("packetsReceived").GetInt64();
        Assert.True(received >= peerSent * 9 / 10, $"serve received {received} of the {peerSent} packets the peer sent");
        serveSent = outbound.GetProperty("packetsSent").GetInt64();
        if (mode == "echo")
        {
            long echoed = call.GetProperty("framesEchoed").GetInt64();
            Assert.True(echoed >= received * 9 / 10, $"serve echoed {echoed} of the {received} packets it received");
        }
        else
        {
            long tone = call.GetProperty("toneFrames").GetInt64();
            Assert.True(tone >= 50 * Seconds * 9 / 10, $"serve encoded {tone} tone frames");
        }
        Assert.True(serveSent >= 50 * Seconds * 9 / 10, $"serve sent {serveSent} packets");
    }

    /// <summary>
    /// The peer's offer and serve's answer: loopback addresses only; both parse with our (tolerant) parser. Serve's
    /// answer must need no repair and write back byte for byte; the peer's offer may need repairs, each reported
    /// as a warning, and what we write from it must parse without warnings and write back byte for byte. With
    /// RTCSTACK_SDP_CAPTURE_DIR set (echo cells), both are saved there for the SDP corpus.
    /// </summary>
    private void CheckSdp(string peerName, string fixturePrefix, string mode, string dir)
    {
        foreach ((string file, string fixture, bool ours) in new[] { ("offer.sdp", $"{fixturePrefix}-offer.sdp", false), ("answer.sdp", $"{fixturePrefix}-serve-answer.sdp", true) })
        {
            string sdp = File.ReadAllText(Path.Combine(dir, file));
            List<string> bad = BrowserOfferCaptureTests.NonLoopbackLines(sdp);
            Assert.True(bad.Count == 0, $"{peerName} {file} names non-loopback addresses:\n{string.Join('\n', bad)}");
            Assert.True(SessionDescription.TryParse(sdp, out SessionDescription? parsed, out SdpParseError error), $"{peerName} {file}: {error}\n{sdp}");
            foreach (SdpParseWarning w in parsed.ParseWarnings)
            {
                _output.WriteLine($"{(ours ? "serve's answer" : peerName + "'s offer")}: {w}");
            }

            string written = parsed.ToString();
            if (ours || parsed.ParseWarnings.Count == 0)
            {
                Assert.Empty(parsed.ParseWarnings);
                Assert.Equal(sdp, written);
            }
            else
            {
                Assert.True(SessionDescription.TryParse(written, out SessionDescription? again, out error), error.ToString());
                Assert.Empty(again.ParseWarnings);
                Assert.Equal(written, again.ToString());
            }

            string? capture = Environment.GetEnvironmentVariable("RTCSTACK_SDP_CAPTURE_DIR");
            if (!string.IsNullOrEmpty(capture) && mode == "echo")
            {
                Directory.CreateDirectory(capture);
                File.WriteAllBytes(Path.Combine(capture, fixture), Encoding.UTF8.GetBytes(sdp));
            }
        }
    }

    private static JsonElement LastJsonLine(PeerProcess.Result run)
    {
        string? line = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        Assert.True(line is not null, $"the peer exited with {run.ExitCode} and printed no summary:\n{run.StdOut}\n{run.StdErr}");
        using JsonDocument doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    private static JsonElement Find(JsonElement stats, string type)
    {
        foreach (JsonProperty p in stats.EnumerateObject())
        {
            if (p.Value.GetProperty("type").GetString() == type)
            {
                return p.Value;
            }
        }

        throw new Xunit.Sdk.XunitException($"serve's stats have no {type} entry");
    }

    private static PeerMatrixRow Row(string peer, string mode, string? failure, JsonElement summary, JsonElement call, string media)
    {
        string? role = null, cipher = null, profile = null;
        double? ours = null;
        if (call.ValueKind == JsonValueKind.Object)
        {
            if (call.TryGetProperty("connectedAfterMs", out JsonElement ca))
            {
                ours = ca.GetDouble();
            }

            if (call.TryGetProperty("stats", out JsonElement stats))
            {
                foreach (JsonProperty p in stats.EnumerateObject())
                {
                    if (p.Value.GetProperty("type").GetString() == "transport")
                    {
                        role = p.Value.TryGetProperty("dtlsRole", out JsonElement r) ? r.GetString() : null;
                        cipher = p.Value.TryGetProperty("dtlsCipher", out JsonElement c) ? c.GetString() : null;
                        profile = p.Value.TryGetProperty("srtpCipher", out JsonElement s) ? s.GetString() : null;
                    }
                }
            }
        }

        double? peerMs = summary.ValueKind == JsonValueKind.Object && summary.TryGetProperty("connectedMs", out JsonElement pm) ? pm.GetDouble() : null;
        return new PeerMatrixRow(peer, mode, failure is null, role, cipher, profile, peerMs, ours, media, failure);
    }
}
