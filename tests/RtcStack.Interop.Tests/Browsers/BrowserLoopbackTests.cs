using System.Text.Json;
using RtcStack.Interop.Tests.WebRtc;
using RtcStack.TestSupport.Browsers;
using Xunit;

namespace RtcStack.Interop.Tests.Browsers;

/// <summary>
/// Checks the browser harness itself: each browser, launched headless by the suite, connects two
/// of its own RTCPeerConnections over loopback and reports back. This is also the browser-to-
/// browser baseline for the session's time-to-connected benchmark.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class BrowserLoopbackTests
{
    internal const string LoopbackPage = """
        <!doctype html><html><body><script>
        const log = (m) => fetch('/log', {method: 'POST', body: String(m)});
        window.onerror = (m) => log('error: ' + m);
        (async () => {
          try {
            const pc1 = new RTCPeerConnection(), pc2 = new RTCPeerConnection();
            pc1.onicecandidate = e => e.candidate && pc2.addIceCandidate(e.candidate);
            pc2.onicecandidate = e => e.candidate && pc1.addIceCandidate(e.candidate);
            const ctx = new AudioContext();
            const osc = ctx.createOscillator(); osc.frequency.value = 440;
            const dst = ctx.createMediaStreamDestination(); osc.connect(dst); osc.start();
            pc1.addTrack(dst.stream.getAudioTracks()[0], dst.stream);
            const t0 = performance.now();
            const connected = new Promise(r => pc1.onconnectionstatechange = () => pc1.connectionState === 'connected' && r());
            const offer = await pc1.createOffer(); await pc1.setLocalDescription(offer);
            await pc2.setRemoteDescription(offer);
            const answer = await pc2.createAnswer(); await pc2.setLocalDescription(answer);
            await pc1.setRemoteDescription(answer);
            await connected;
            const ms = performance.now() - t0;
            let dtls = null, srtp = null;
            (await pc1.getStats()).forEach(s => { if (s.type === 'transport') { dtls = s.tlsVersion; srtp = s.srtpCipher; } });
            await fetch('/report/result', {method: 'POST', body: JSON.stringify({connected: true, ms, dtls, srtp, ua: navigator.userAgent})});
          } catch (e) { log('exception: ' + e); }
        })();
        </script></body></html>
        """;

    [Theory]
    [InlineData(BrowserKind.Chromium)]
    [InlineData(BrowserKind.Firefox)]
    public async Task BrowserConnectsToItselfOverLoopback(BrowserKind kind)
    {
        await using TestPageHost host = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/"] = LoopbackPage });
        using HeadlessBrowser browser = HeadlessBrowser.Launch(kind, host.BaseAddress + "/");
        JsonElement result = await host.WaitForReportAsync("result", TimeSpan.FromSeconds(45), browser);
        Assert.True(result.GetProperty("connected").GetBoolean());
        Assert.True(result.GetProperty("ms").GetDouble() > 0);
    }
}
