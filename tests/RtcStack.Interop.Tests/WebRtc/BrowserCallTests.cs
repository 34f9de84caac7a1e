using System.Globalization;
using System.Text.Json;
using RtcStack.Dtls;
using RtcStack.Sdp;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc;
using Xunit;
using Xunit.Abstractions;
using RtcStack.Srtp;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// The proof that the stack is real: headless Chromium and Firefox hold two-way Opus calls with an
/// RtcStack <see cref="WebRtcSession"/> (session core v2) over loopback UDP, in every cell of the matrix (who
/// offers × our DTLS role × SRTP profile), plus trickle ICE through WHIP PATCH and an ICE restart. Every cell runs DTLS 1.3
/// (RFC 9147) with the X25519MLKEM768 key share, as the browsers' defaults and ours agree, except the two cells that pin
/// our session to DTLS 1.2. When we offer,
/// the offer is our <see cref="RtcStack.WebRtc.Jsep.JsepSession"/>'s. Every cell adds a row to specs/interop-matrix.md.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class BrowserCallTests : IClassFixture<InteropMatrix>
{
    private const int CallSeconds = 4;
    private readonly InteropMatrix _matrix;
    private readonly ITestOutputHelper _output;

    public BrowserCallTests(InteropMatrix matrix, ITestOutputHelper output)
    {
        _matrix = matrix;
        _output = output;
    }

    public enum Signalling
    {
        /// <summary>The browser offers through WHIP (POST /whip).</summary>
        BrowserOffers,

        /// <summary>We offer (POST /offer) and the browser answers.</summary>
        WeOffer,
    }

    public enum Extra
    {
        None,
        Trickle,
        IceRestart,

        /// <summary>Our session pinned to DTLS 1.2 (<see cref="RtcStack.WebRtc.Transport.WebRtcTransportOptions.DtlsMaxVersion"/>); the browser keeps its defaults.</summary>
        Dtls12,
    }

    public static TheoryData<BrowserKind, string, Signalling, DtlsRole, string, Extra> Cells()
    {
        var data = new TheoryData<BrowserKind, string, Signalling, DtlsRole, string, Extra>();
        foreach (BrowserKind b in new[] { BrowserKind.Chromium, BrowserKind.Firefox })
        {
            data.Add(b, "1", Signalling.BrowserOffers, DtlsRole.Client, "SRTP_AEAD_AES_128_GCM", Extra.None);
            data.Add(b, "2", Signalling.BrowserOffers, DtlsRole.Server, "SRTP_AES128_CM_HMAC_SHA1_80", Extra.None);
            data.Add(b, "3", Signalling.WeOffer, DtlsRole.Server, "any", Extra.None);
            data.Add(b, "4", Signalling.WeOffer, DtlsRole.Client, "SRTP_AES128_CM_HMAC_SHA1_80", Extra.None);
            data.Add(b, "5 trickle", Signalling.BrowserOffers, DtlsRole.Client, "any", Extra.Trickle);
        }

        data.Add(BrowserKind.Chromium, "6 ICE restart", Signalling.BrowserOffers, DtlsRole.Server, "SRTP_AEAD_AES_128_GCM", Extra.IceRestart);
        data.Add(BrowserKind.Firefox, "6 ICE restart", Signalling.BrowserOffers, DtlsRole.Client, "any", Extra.IceRestart);

        // Pinned to DTLS 1.2: as server we answer the browser's fragmented 1.3 ClientHello with 1.2; as client we offer
        // only 1.2 to a browser server that would take 1.3.
        data.Add(BrowserKind.Chromium, "7 DTLS 1.2 pinned", Signalling.BrowserOffers, DtlsRole.Server, "SRTP_AEAD_AES_128_GCM", Extra.Dtls12);
        data.Add(BrowserKind.Firefox, "7 DTLS 1.2 pinned", Signalling.WeOffer, DtlsRole.Client, "any", Extra.Dtls12);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task TwoWayOpusCall(BrowserKind browser, string cell, Signalling signalling, DtlsRole ourRole, string srtp, Extra extra)
    {
        LibOpusReference.Require();
        await using CallServer server = await CallServer.StartAsync();
        // RTCSTACK_CALL_TRACE=1 prints what ICE and DTLS did in our session (checks, pairs, flights), with its clock.
        TimelineLogger? trace = Environment.GetEnvironmentVariable("RTCSTACK_CALL_TRACE") == "1" ? new TimelineLogger(() => server.Host.Now) : null;
        server.Options = transport =>
        {
            transport.Logger = trace;
            if (extra == Extra.Dtls12)
            {
                transport.DtlsMaxVersion = DtlsVersion.Dtls12;
            }
            if (srtp != "any")
            {
                transport.SrtpProfiles.Clear();
                transport.SrtpProfiles.Add(srtp == "SRTP_AEAD_AES_128_GCM" ? SrtpProfile.AeadAes128Gcm : SrtpProfile.Aes128CmHmacSha1_80);
            }

            return new WebRtcSessionOptions
            {
                Transport = transport,
                AnswerSetup = signalling == Signalling.BrowserOffers && ourRole == DtlsRole.Server ? SetupRole.Passive : SetupRole.Active,

                // actpass: the browser picks active (client), which makes us the server; setup:active forces us to be the client.
                OfferSetup = signalling == Signalling.WeOffer && ourRole == DtlsRole.Client ? SetupRole.Active : SetupRole.ActPass,
            };
        };

        string mode = signalling == Signalling.BrowserOffers ? "browser-offer" : "server-offer";
        string url = $"{server.Web.BaseAddress}/call.html?mode={mode}&send=440&expect=660&seconds={CallSeconds}"
            + (browser == BrowserKind.Firefox ? "&src=mic" : "")
            + (Environment.GetEnvironmentVariable("RTCSTACK_PAGE_EXTRA") ?? "") + (extra == Extra.Trickle ? "&trickle=1" : "") + (extra == Extra.IceRestart ? "&restart=1" : "");
        string signallingText = (signalling == Signalling.BrowserOffers ? "browser offers (WHIP)" : "we offer")
            + (extra == Extra.Trickle ? ", trickle via PATCH" : extra == Extra.IceRestart ? ", ICE restart via PATCH" : extra == Extra.Dtls12 ? ", we pin DTLS 1.2" : "");

        JsonElement result = default;
        ServerCall? call = null;
        CredentialProbe? probe = null;
        try
        {
            using (HeadlessBrowser b = HeadlessBrowser.Launch(browser, url))
            {
                Task<JsonElement> resultReport = server.Web.WaitForReportAsync("result", TimeSpan.FromSeconds(60), b);
                if (extra == Extra.IceRestart)
                {
                    // Once the browser has reconnected with the new credentials, and while the call goes on, our side is
                    // asked with the old credentials and with the new ones (see CheckRestart).
                    Task<JsonElement> restartedReport = server.Web.WaitForReportAsync("restarted", TimeSpan.FromSeconds(60), b);
                    if (await Task.WhenAny(restartedReport, resultReport) == restartedReport && server.Calls.TryPeek(out ServerCall? live))
                    {
                        probe = await ProbeCredentialsAsync(live, await restartedReport);
                    }
                }

                result = await resultReport;
                if (!result.GetProperty("ok").GetBoolean())
                {
                    Assert.Fail("page failed: " + result.GetProperty("error").GetString() + "\n" + server.Web.PageLog);
                }

                // Let the page's DELETE (WHIP) arrive before the browser goes away.
                await Task.Delay(300);
            }

            Assert.True(server.Calls.TryPeek(out call), "no session was created");
            Describe(call!);
            CheckCall(browser, signalling, ourRole, srtp, extra, result, call!);
            if (extra == Extra.IceRestart)
            {
                CheckRestart(result, call!, probe);
            }

            _matrix.Add(Row(browser, cell, signallingText, ourRole, srtp, true, result, call, null));
        }
        catch (Exception e)
        {
            _matrix.Add(Row(browser, cell, signallingText, ourRole, srtp, false, result, call, e.Message.Split('\n')[0]));
            _output.WriteLine(server.Web.PageLog);
            throw;
        }
        finally
        {
            foreach ((TimeSpan at, string what) in trace?.Entries ?? [])
            {
                _output.WriteLine($"  {at.TotalMilliseconds:0} {what}");
            }
        }
    }

    private void CheckCall(BrowserKind browser, Signalling signalling, DtlsRole ourRole, string srtp, Extra extra, JsonElement result, ServerCall call)
    {
        JsonElement stats = result.GetProperty("stats");
        _output.WriteLine("browser: " + result.GetProperty("ua").GetString());
        _output.WriteLine("page connectedMs: " + result.GetProperty("connectedMs").GetDouble().ToString("0", CultureInfo.InvariantCulture));

        // Our side: connected with the asked role and profile; the browser's 440 Hz decoded and recognised.
        RtcStatsReport ours = call.LastStats ?? throw new InvalidOperationException("no stats snapshot");
        Assert.NotNull(call.ConnectedAt);
        RtcTransportStats transport = ours.Get<RtcTransportStats>()!;
        Assert.Equal(ourRole == DtlsRole.Client ? "client" : "server", transport.DtlsRole);
        if (srtp != "any")
        {
            Assert.Equal(srtp, transport.SrtpCipher);
        }

        Assert.Equal(0, transport.SrtpAuthenticationFailures);
        Assert.Equal(0, transport.SrtcpFailures);
        short[] audio = call.DecodedAudio();
        Assert.True(audio.Length > 48000 * 2, $"only {audio.Length} samples decoded");
        // Chromium sends the page's 440 Hz WebAudio oscillator. Headless Firefox has no audio device, so its
        // AudioContext stays suspended and its WebAudio output reaches WebRTC 25 % fast (440 Hz arrives as
        // 550 Hz, also between two Firefox peers); its fake microphone, a 1 kHz sine, arrives exactly, so the
        // Firefox cells send that (see specs/rfc8829-session.md).
        double sentHz = browser == BrowserKind.Firefox ? 1000 : 440;
        double peak = Goertzel.Peak(audio.AsSpan(24000), 48000);
        (double heard, double ratio) = Goertzel.Strongest(audio.AsSpan(24000), 48000, sentHz, 660, 550, 880);
        _output.WriteLine($"we heard {heard} Hz (power ratio {ratio:0.#}, spectral peak {peak:0} Hz), {call.FramesReceived} frames; sent {call.FramesSent}");
        Assert.Equal(sentHz, heard);
        Assert.InRange(peak, sentHz - 2, sentHz + 2);
        Assert.True(ratio > 10, $"tone ratio {ratio}");
        RtcInboundRtpStreamStats inbound = ours.Get<RtcInboundRtpStreamStats>()!;
        int expected = (int)(50 * (CallSeconds - 1) * 0.8);
        Assert.True(inbound.PacketsReceived >= expected, $"we received {inbound.PacketsReceived} packets, expected at least {expected}");
        // RTCP both ways, as seen by us: the browser's SRs, its report blocks about our stream, its TWCC feedback.
        Assert.True(transport.SenderReportsReceived >= 1, "no SR from the browser");
        RtcRemoteInboundRtpStreamStats? remoteInbound = ours.Get<RtcRemoteInboundRtpStreamStats>();
        Assert.NotNull(remoteInbound);
        Assert.True(transport.SenderReportsSent >= 1);
        Assert.True(transport.TransportFeedbackSent >= 10, $"we sent {transport.TransportFeedbackSent} TWCC feedback packets");
        if (browser == BrowserKind.Chromium)
        {
            Assert.True(transport.TransportFeedbackReceived >= 10, $"Chromium sent {transport.TransportFeedbackReceived} TWCC feedback packets about our stream");
        }

        // The browser's side.
        JsonElement tone = result.GetProperty("tone");
        double hz = tone.GetProperty("hz").GetDouble();
        _output.WriteLine($"browser heard {hz:0.##} Hz in {tone.GetProperty("seconds").GetDouble():0.##} s recorded (rms {tone.GetProperty("rms").GetDouble():0.###}, {tone.GetProperty("mimeType").GetString()})");
        Assert.InRange(hz, 655, 665);
        JsonElement bIn = Find(stats, "inbound-rtp", "audio");
        JsonElement bOut = Find(stats, "outbound-rtp", "audio");
        long bReceived = bIn.GetProperty("packetsReceived").GetInt64();
        long bLost = bIn.GetProperty("packetsLost").GetInt64();
        _output.WriteLine($"browser inbound: {bReceived} received, {bLost} lost; outbound: {bOut.GetProperty("packetsSent").GetInt64()} sent");
        Assert.True(bReceived >= expected, $"browser received {bReceived}");
        Assert.True(bLost <= Math.Max(1, bReceived / 100), $"browser lost {bLost} of our packets");
        Assert.True(bOut.GetProperty("packetsSent").GetInt64() >= expected);
        Assert.Equal("audio/opus", Find(stats, "codec", null, s => s.GetProperty("id").GetString() == bIn.GetProperty("codecId").GetString()).GetProperty("mimeType").GetString());
        // Our SR reached the browser (remote-outbound-rtp) and our report blocks did (remote-inbound-rtp with an RTT).
        JsonElement rOut = Find(stats, "remote-outbound-rtp", "audio");
        Assert.True(rOut.GetProperty("packetsSent").GetInt64() > 0);
        JsonElement rIn = Find(stats, "remote-inbound-rtp", "audio");
        Assert.True(rIn.TryGetProperty("roundTripTime", out JsonElement rtt) && rtt.GetDouble() >= 0, "browser has no RTT from our report blocks");
        JsonElement bTransport = Find(stats, "transport", null);
        _output.WriteLine("browser transport stats: " + bTransport.GetRawText());
        Assert.Equal("connected", bTransport.GetProperty("dtlsState").GetString());

        // The browsers' defaults offer DTLS 1.3 with an X25519MLKEM768 share: we take it unless pinned to 1.2. The
        // browser's own report says which version was negotiated ("FEFC", RFC 9147 §5.3; "FEFD", RFC 6347 §4.1).
        string version = extra == Extra.Dtls12 ? "FEFD" : "FEFC";
        Assert.Equal(version, transport.TlsVersion);
        Assert.Equal(version, bTransport.GetProperty("tlsVersion").GetString());
        Assert.Equal(extra == Extra.Dtls12 ? "x25519" : "X25519MLKEM768", transport.TlsGroup);

        // Chromium 156 and Firefox 153 report no tlsGroup (checked here): the group is ours, from the ServerHello's
        // key_share we sent or read (RFC 8446 §4.2.8). Should a browser start reporting it, it must agree.
        if (bTransport.TryGetProperty("tlsGroup", out JsonElement bGroup))
        {
            Assert.Equal(transport.TlsGroup, bGroup.GetString(), ignoreCase: true);
        }
        Assert.Equal(extra == Extra.Dtls12 ? "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" : "TLS_AES_128_GCM_SHA256", transport.DtlsCipher);
        Assert.Equal(transport.SrtpCipher, bTransport.GetProperty("srtpCipher").GetString());
        Assert.Equal(transport.DtlsCipher, bTransport.GetProperty("dtlsCipher").GetString());
        string? browserRole = bTransport.TryGetProperty("dtlsRole", out JsonElement br) ? br.GetString() : null;
        if (browserRole is not null)
        {
            Assert.Equal(ourRole == DtlsRole.Client ? "server" : "client", browserRole);
        }

        if (signalling == Signalling.WeOffer)
        {
            // Our JSEP offer (the browser's remote description) asked for the role: actpass, or active to be the client.
            string ourOffer = result.GetProperty("sdp").GetProperty("remote").GetString()!;
            Assert.Contains(ourRole == DtlsRole.Client ? "a=setup:active\r\n" : "a=setup:actpass\r\n", ourOffer, StringComparison.Ordinal);
        }

        string answerOrOffer = result.GetProperty("sdp").GetProperty(signalling == Signalling.BrowserOffers ? "remote" : "local").GetString()!;
        Assert.Contains("transport-cc", answerOrOffer, StringComparison.Ordinal);
        if (browser == BrowserKind.Chromium)
        {
            // Chromium's send-side estimate; see specs/rfc8829-session.md for what this does and does not prove.
            JsonElement pair = Find(stats, "candidate-pair", null, s => s.GetProperty("id").GetString() == bTransport.GetProperty("selectedCandidatePairId").GetString());
            Assert.True(pair.TryGetProperty("availableOutgoingBitrate", out JsonElement aob) && aob.GetDouble() > 0, "Chromium reports no availableOutgoingBitrate");
            _output.WriteLine($"Chromium availableOutgoingBitrate {aob.GetDouble():0}");
        }

    }

    /// <summary>
    /// An ICE restart really happened (issue 21): new credentials on both sides, checks with them on the wire in both
    /// directions on a new pair, the old credentials refused by us while the new ones are answered, and media still
    /// flowing both ways after that. Media alone proves nothing: the old pair keeps carrying it through a restart.
    /// </summary>
    private void CheckRestart(JsonElement result, ServerCall call, CredentialProbe? probe)
    {
        JsonElement restarted = result.GetProperty("restarted");
        _output.WriteLine("restart, browser's view: " + restarted.GetRawText());
        (TimeSpan At, RtcStack.Ice.IceCredentials Local)[] generations = [.. call.IceGenerations];
        Assert.True(generations.Length == 2, $"our local ICE credentials changed {generations.Length - 1} times, expected once");
        Assert.Equal(generations[0].Local.Ufrag, restarted.GetProperty("remoteUfragBefore").GetString());
        Assert.Equal(generations[1].Local.Ufrag, restarted.GetProperty("remoteUfrag").GetString());
        Assert.NotEqual(restarted.GetProperty("localUfragBefore").GetString(), restarted.GetProperty("localUfrag").GetString());

        // Our session now uses the browser's new ufrag, and our selected pair is a new one (pairs are dropped at a
        // restart) on which the browser's checks with our new ufrag passed our new password, and our checks with its new
        // ufrag got answers that passed its new password.
        RtcStatsReport ours = call.LastStats!;
        RtcTransportStats transport = ours.Get<RtcTransportStats>()!;
        Assert.Equal(generations[1].Local.Ufrag, transport.IceLocalUsernameFragment);
        Assert.Equal(restarted.GetProperty("localUfrag").GetString(), call.RemoteUfrag);
        RtcIceCandidatePairStats pair = ours.Get<RtcIceCandidatePairStats>() ?? throw new Xunit.Sdk.XunitException("no selected pair after the restart");
        _output.WriteLine($"our pair after the restart: {pair.State}, nominated {pair.Nominated}, requests received {pair.RequestsReceived}, requests sent {pair.RequestsSent}, responses received {pair.ResponsesReceived}");
        Assert.True(pair.Nominated && pair.State == "succeeded", $"{pair.State}, nominated {pair.Nominated}");
        Assert.True(pair.RequestsReceived >= 1, "no check with the new credentials reached the new pair");
        Assert.True(pair.ResponsesReceived >= 1, "none of our checks with the browser's new credentials was answered");
        (TimeSpan At, long FramesReceived, System.Net.IPEndPoint Local)[] changes = [.. call.SelectedPairChanges];
        Assert.True(changes.Length >= 2 && changes[^1].At >= generations[1].At, $"our selected pair changed {changes.Length} times, the last not after the restart");

        // The browser's selected pair is a new one too, with its own checks answered.
        JsonElement before = restarted.GetProperty("pairBefore"), after = restarted.GetProperty("pairAfter");
        Assert.True(after.ValueKind == JsonValueKind.Object, "the browser has no selected pair after the restart");
        Assert.NotEqual(before.GetProperty("id").GetString(), after.GetProperty("id").GetString());
        Assert.True(after.GetProperty("responsesReceived").GetInt64() >= 1, "the browser's new pair got no response: " + after.GetRawText());

        // On the wire, during the call: the old credentials are refused (401, RFC 8445 §7.3: the username is not ours
        // any more) and the new ones answered, from the same probe socket, so the refusal is not the probe's fault.
        Assert.NotNull(probe);
        _output.WriteLine($"probe: old credentials -> {probe.Old}, new credentials -> {probe.New}");
        Assert.Equal("success", probe.New);
        Assert.True(probe.Old is "error 401" or "no answer", $"the old credentials got {probe.Old}");

        // Media after all that: we kept receiving the browser's audio, and it kept receiving ours.
        long ourAfter = call.FramesReceived - probe.OurFramesAtProbe;
        Assert.True(ourAfter >= 50, $"we received {ourAfter} audio frames after the probe");
        long browserAtRestart = restarted.GetProperty("packetsReceivedAtRestart").GetInt64();
        long browserEnd = Find(result.GetProperty("stats"), "inbound-rtp", "audio").GetProperty("packetsReceived").GetInt64();
        Assert.True(browserEnd - browserAtRestart >= 100, $"the browser received {browserEnd - browserAtRestart} of our packets after the restart");
    }

    private sealed record CredentialProbe(string Old, string New, long OurFramesAtProbe);

    // Sends a Binding request with the old and then the new credentials (as the browser would, from a socket of our own
    // on loopback) to our selected local address, and says what came back for each.
    private static async Task<CredentialProbe> ProbeCredentialsAsync(ServerCall call, JsonElement restarted)
    {
        (TimeSpan At, RtcStack.Ice.IceCredentials Local)[] generations = [.. call.IceGenerations];
        if (generations.Length < 2 || call.SelectedPairChanges.IsEmpty)
        {
            return new CredentialProbe("not probed: no restart seen", "not probed", call.FramesReceived);
        }

        System.Net.IPEndPoint target = call.SelectedPairChanges.Last().Local;
        using var socket = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        string old = await AskAsync(socket, target, generations[^2].Local, restarted.GetProperty("localUfragBefore").GetString()!);
        string fresh = await AskAsync(socket, target, generations[^1].Local, restarted.GetProperty("localUfrag").GetString()!);
        return new CredentialProbe(old, fresh, call.FramesReceived);
    }

    private static async Task<string> AskAsync(System.Net.Sockets.UdpClient socket, System.Net.IPEndPoint target, RtcStack.Ice.IceCredentials ours, string browserUfrag)
    {
        byte[] buffer = new byte[256];
        var id = RtcStack.Stun.StunTransactionId.NewRandom();
        var w = new RtcStack.Stun.StunMessageWriter(buffer, RtcStack.Stun.StunMessageType.BindingRequest, id);
        w.AddString(RtcStack.Stun.StunAttributeType.Username, ours.Ufrag + ":" + browserUfrag);
        w.AddUInt32(RtcStack.Stun.StunAttributeType.Priority, 1845501695);
        w.AddUInt64(RtcStack.Stun.StunAttributeType.IceControlling, (ulong)Random.Shared.NextInt64());
        w.AddMessageIntegrity(System.Text.Encoding.UTF8.GetBytes(ours.Password));
        w.AddFingerprint();
        await socket.SendAsync(w.Written.ToArray(), target);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            while (true)
            {
                System.Net.Sockets.UdpReceiveResult r = await socket.ReceiveAsync(timeout.Token);
                if (RtcStack.Stun.StunMessageReader.TryParse(r.Buffer, out RtcStack.Stun.StunMessageReader m) != RtcStack.Stun.StunParseStatus.Ok || m.TransactionId != id)
                {
                    continue; // our session's own checks to this new address, or anything else
                }

                if (m.Class == RtcStack.Stun.StunClass.SuccessResponse)
                {
                    return "success";
                }

                return m.TryGetErrorCode(out int code, out _) ? "error " + code : "error without a code";
            }
        }
        catch (OperationCanceledException)
        {
            return "no answer";
        }
    }

    // What our side saw, for a failing cell: the session's timeline, the transport's counters and why datagrams were dropped.
    private void Describe(ServerCall call)
    {
        _output.WriteLine("our timeline: " + string.Join(" | ", call.Timeline.Where(t => !t.What.StartsWith("SessionCandidate", StringComparison.Ordinal)).Select(t => $"{t.At.TotalMilliseconds:0} {t.What}")));
        RtcStack.WebRtc.Transport.TransportCounters c = call.Resource.Session.Transport.Counters;
        string drops = string.Join(", ", Enum.GetValues<RtcStack.WebRtc.Transport.TransportDropReason>()
            .Where(r => c.GetDropped(r) > 0).Select(r => $"{r} {c.GetDropped(r)}"));
        _output.WriteLine($"our transport: {c.PacketsReceived} datagrams received ({c.SrtpPacketsReceived} SRTP, {c.SrtcpPacketsReceived} SRTCP, {c.StunMessagesReceived} STUN), {c.PacketsSent} sent; dropped: {(drops.Length == 0 ? "none" : drops)}");
    }

    private static JsonElement Find(JsonElement stats, string type, string? kind, Func<JsonElement, bool>? where = null)
    {
        foreach (JsonProperty p in stats.EnumerateObject())
        {
            JsonElement s = p.Value;
            if (s.GetProperty("type").GetString() == type
                && (kind is null || (s.TryGetProperty("kind", out JsonElement k) && k.GetString() == kind) || (s.TryGetProperty("mediaType", out JsonElement mt) && mt.GetString() == kind))
                && (where is null || where(s)))
            {
                return s;
            }
        }

        throw new Xunit.Sdk.XunitException($"the browser's stats have no {type}{(kind is null ? "" : " " + kind)} entry");
    }

    private static MatrixRow Row(BrowserKind browser, string cell, string signalling, DtlsRole ourRole, string srtp, bool passed, JsonElement result, ServerCall? call, string? failure)
    {
        string? version = null, cipher = null, profile = null, group = null;
        double? pageMs = null;
        string media = "-";
        if (result.ValueKind == JsonValueKind.Object && result.TryGetProperty("stats", out JsonElement stats))
        {
            foreach (JsonProperty p in stats.EnumerateObject())
            {
                if (p.Value.GetProperty("type").GetString() == "transport")
                {
                    version = p.Value.TryGetProperty("tlsVersion", out JsonElement v) ? v.GetString() : null;
                    cipher = p.Value.TryGetProperty("dtlsCipher", out JsonElement c) ? c.GetString() : null;
                    profile = p.Value.TryGetProperty("srtpCipher", out JsonElement s) ? s.GetString() : null;
                    group = p.Value.TryGetProperty("tlsGroup", out JsonElement g) ? g.GetString() : null;
                }
            }

            pageMs = result.GetProperty("connectedMs").GetDouble();
            double hz = result.GetProperty("tone").GetProperty("hz").GetDouble();
            media = string.Create(CultureInfo.InvariantCulture, $"browser→us {call?.FramesReceived ?? 0} pkts; us→browser {call?.FramesSent ?? 0} pkts, page heard {hz:0} Hz");
        }

        double? ours = call?.ConnectedAt is TimeSpan at ? (at - call.Resource.CreatedAt).TotalMilliseconds : null;
        // The group: the browser's tlsGroup when it reports one, else our session's (marked "ours").
        group ??= call?.LastStats?.Get<RtcTransportStats>()?.TlsGroup is string g2 ? g2 + " (ours)" : null;
        return new MatrixRow(browser.ToString(), cell, signalling, ourRole == DtlsRole.Client ? "client" : "server", srtp, passed, version, cipher, profile, pageMs, ours, media, failure)
        {
            DtlsGroup = group,
        };
    }
}
