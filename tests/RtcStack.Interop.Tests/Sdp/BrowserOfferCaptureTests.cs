using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RtcStack.Interop.Tests.WebRtc;
using RtcStack.Sdp;
using RtcStack.TestSupport.Browsers;
using Xunit;

namespace RtcStack.Interop.Tests.Sdp;

/// <summary>
/// Captures real offers from headless Chromium and Firefox (the SDP parser's browser fixtures) and
/// checks that they contain loopback addresses only and that parse → write gives the same bytes.
/// </summary>
/// <remarks>
/// <para>
/// With <c>RTCSTACK_SDP_CAPTURE_DIR</c> set, each test also saves the offer there byte for byte as
/// <c>chromium-&lt;major&gt;-offer-audio-video-data.sdp</c> / <c>firefox-&lt;major&gt;esr-offer-gathered.sdp</c>,
/// and then requires every address in it to be loopback (or unspecified); that is how
/// tests/RtcStack.Sdp.Tests/Fixtures was filled (exact command in the README there).
/// </para>
/// <para>
/// Both offers are taken after ICE gathering, so they hold host candidates for every interface the
/// browser sees. Firefox ESR 153 ignores <c>media.peerconnection.ice.force_interface</c> (tried with
/// "lo" and "eth0": no effect), so the capture is run inside a network namespace that has only the
/// loopback interface (<c>unshare --net</c>). In an ordinary run on a machine with other interfaces the
/// offers contain those addresses; nothing is saved then, and the tests check parse → write only.
/// </para>
/// </remarks>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed partial class BrowserOfferCaptureTests
{
    /// <summary>
    /// The capture page. <c>?media=av</c>: fake microphone and camera tracks plus a data channel;
    /// <c>?media=a</c>: the fake microphone only. <c>?gather=1</c>: report the local description
    /// once ICE gathering is complete (candidates in the SDP), otherwise right after
    /// setLocalDescription (the trickle-ICE offer). The SDP is sent as a JSON string, so the bytes
    /// the test saves are exactly the browser's (SDP is ASCII).
    /// </summary>
    internal const string CapturePage = """
        <!doctype html><html><body><script>
        const q = new URLSearchParams(location.search);
        const log = (m) => fetch('/log', {method: 'POST', body: String(m)});
        window.onerror = (m) => log('error: ' + m);
        (async () => {
          try {
            const av = q.get('media') === 'av';
            const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: av});
            const pc = new RTCPeerConnection();
            for (const t of stream.getTracks()) pc.addTrack(t, stream);
            if (av) pc.createDataChannel('data');
            await pc.setLocalDescription(await pc.createOffer());
            if (q.get('gather') === '1') {
              await new Promise((resolve, reject) => {
                const t = setTimeout(() => reject(new Error('gathering not complete: ' + pc.iceGatheringState)), 20000);
                const check = () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); } };
                pc.addEventListener('icegatheringstatechange', check); check();
              });
            }
            const sdp = pc.localDescription.sdp;
            pc.close(); stream.getTracks().forEach(t => t.stop());
            await fetch('/report/offer', {method: 'POST', body: JSON.stringify({sdp, ua: navigator.userAgent})});
          } catch (e) { log('exception: ' + e); }
        })();
        </script></body></html>
        """;

    [Fact]
    public async Task ChromiumOfferWithAudioVideoAndDataChannel()
    {
        (string sdp, string ua) = await CaptureAsync(BrowserKind.Chromium, "media=av&gather=1");
        SessionDescription parsed = CheckRoundTrip(sdp);
        Assert.Equal(["audio", "video", "application"], parsed.MediaDescriptions.Select(m => m.Media));
        Assert.Equal("UDP/DTLS/SCTP", parsed.MediaDescriptions[2].MediaLine.Protocol);
        Assert.NotEmpty(parsed.MediaDescriptions[1].GetSsrcGroups());
        Assert.NotEmpty(parsed.MediaDescriptions[0].GetCandidates());
        Save($"chromium-{Major(ua, "Chrome")}-offer-audio-video-data.sdp", sdp);
    }

    [Fact]
    public async Task FirefoxOfferAfterIceGathering()
    {
        (string sdp, string ua) = await CaptureAsync(BrowserKind.Firefox, "media=a&gather=1");
        SessionDescription parsed = CheckRoundTrip(sdp);
        MediaDescription audio = Assert.Single(parsed.MediaDescriptions);
        Assert.NotEmpty(audio.GetCandidates());
        Assert.Contains(audio.GetCandidates(), c => c.Split(' ')[1] == "2");
        Assert.True(audio.EndOfCandidates);
        Save($"firefox-{Major(ua, "Firefox")}esr-offer-gathered.sdp", sdp);
    }

    private static async Task<(string Sdp, string UserAgent)> CaptureAsync(BrowserKind kind, string query)
    {
        await using TestPageHost host = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/"] = CapturePage });
        using HeadlessBrowser browser = HeadlessBrowser.Launch(kind, host.BaseAddress + "/?" + query);
        JsonElement report = await host.WaitForReportAsync("offer", TimeSpan.FromSeconds(60), browser);
        return (report.GetProperty("sdp").GetString()!, report.GetProperty("ua").GetString()!);
    }

    private static SessionDescription CheckRoundTrip(string sdp)
    {
        Assert.True(SessionDescription.TryParse(sdp, out SessionDescription? parsed, out SdpParseError error), error + "\n" + sdp);
        Assert.Equal(sdp, parsed.ToString());
        return parsed;
    }

    /// <summary>The lines naming an address (o=, c=, a=rtcp, a=candidate) that is neither loopback nor unspecified.</summary>
    internal static List<string> NonLoopbackLines(string sdp)
    {
        var bad = new List<string>();
        foreach (string line in sdp.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? address = AddressOf(line);
            if (address is not null &&
                (!IPAddress.TryParse(address, out IPAddress? ip) || !(IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))))
            {
                bad.Add(line);
            }
        }

        return bad;
    }

    private static string? AddressOf(string line)
    {
        string[] f = line.Split(' ');
        if (line.StartsWith("o=", StringComparison.Ordinal) && f.Length == 6)
        {
            return f[5];
        }

        if (line.StartsWith("c=", StringComparison.Ordinal) && f.Length == 3)
        {
            return f[2].Split('/')[0];
        }

        if (line.StartsWith("a=rtcp:", StringComparison.Ordinal) && f.Length == 4)
        {
            return f[3];
        }

        if (line.StartsWith("a=candidate:", StringComparison.Ordinal) && f.Length >= 6)
        {
            // a=candidate:foundation component transport priority ADDRESS port typ host ...
            // (host candidates only: there is no STUN/TURN server, so no raddr).
            return line.Contains(" raddr ", StringComparison.Ordinal) ? "raddr" : f[4];
        }

        return null;
    }

    private static string Major(string userAgent, string product)
    {
        Match m = MajorVersion().Match(userAgent);
        Assert.True(m.Success && m.Groups[1].Value == product, userAgent);
        return m.Groups[2].Value;
    }

    private static void Save(string name, string sdp)
    {
        string? dir = Environment.GetEnvironmentVariable("RTCSTACK_SDP_CAPTURE_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            return;
        }

        List<string> bad = NonLoopbackLines(sdp);
        Assert.True(bad.Count == 0, "not saving " + name + ": non-loopback addresses (run the capture inside `unshare --net`, see Fixtures/README.md):\n" + string.Join('\n', bad));
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, name), Encoding.UTF8.GetBytes(sdp));
    }

    [GeneratedRegex(@"(Chrome|Firefox)/(\d+)\.")]
    private static partial Regex MajorVersion();
}
