// EchoPeer: the smallest complete WebRTC call. Open http://127.0.0.1:8081 in a browser and press Start: the page sends
// your microphone (Opus) to a WebRtcSession here, which sends every frame straight back, and the page plays it.
//
//   dotnet run --project samples/EchoPeer -- [PORT]       (PORT 0 picks a free one; Ctrl+C stops)
//
// The signalling is our own and as small as it gets: the page POSTs its SDP offer to /call and gets the answer back
// (201 Created, with a Location to DELETE when it hangs up). Nothing else is exchanged: our answer carries all our
// ICE candidates, and the page waits for its own before it POSTs.
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RtcStack.Sdp;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;

int port = args.Length > 0 && int.TryParse(args[0], out int p) && p is >= 0 and <= 65535 ? p : 8081;

// 1. The media side: a UDP host runs sessions, each on its own socket, and calls them when datagrams or timers are due.
using var host = new UdpSessionHost(new UdpSessionHostOptions { BindAddress = IPAddress.Loopback, IncludeLoopback = true });
var calls = new ConcurrentDictionary<string, (UdpSessionHandle Handle, WebRtcSession Session)>();

// 2. The signalling side: three HTTP routes.
WebApplicationBuilder builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
WebApplication app = builder.Build();

app.MapGet("/", () => Results.Content(Page, "text/html"));

app.MapPost("/call", async (HttpRequest request) =>
{
    // The offer comes from the network: bound its size; the session refuses a description it cannot use.
    if (request.ContentLength is not long length || length > 64 * 1024)
    {
        return Results.StatusCode(request.ContentLength is null ? StatusCodes.Status411LengthRequired : StatusCodes.Status413PayloadTooLarge);
    }

    string offer = await new StreamReader(request.Body).ReadToEndAsync();
    var session = new WebRtcSession();
    byte[] payload = new byte[WebRtcSession.MaxDatagramSize];
    long echoed = 0;

    // Add the session to the host. The callback runs on the host's thread after the session had input. Drain the
    // events first (polling them also moves what the transport decrypted into the media queue), then the media it
    // received: each audio frame goes straight back on the same m-section, with its own RTP timestamp.
    UdpSessionHandle handle = host.Add(session, (_, now) =>
    {
        while (session.TryPollEvent(out SessionEvent? e))
        {
            if (e is SessionStateChangedEvent changed)
            {
                Console.WriteLine($"call: {changed.State}");
            }
        }

        while (session.TryPollMedia(payload, out ReceivedMedia media))
        {
            if (!media.IsVideo && session.Jsep.FindTransceiver(media.Mid) is { } transceiver)
            {
                if (session.SendAudio(transceiver, payload.AsSpan(0, media.Length), media.Timestamp, now) && ++echoed == 1)
                {
                    Console.WriteLine("call: echoing audio");
                }
            }
        }
    });

    // Every call into a session goes through the host (handle.Invoke), so the session is never used by two threads.
    // TryAnswer applies the offer and makes the answer, with our ICE candidate, DTLS fingerprint and Opus. SendRecv: we
    // send on every m-section the offer opens (TryAcceptOffer would leave them receive-only, as JSEP does by default).
    (string? answer, string? error) = handle.Invoke(now =>
        session.TryAnswer(offer, MediaDirection.SendRecv, now, out string? a, out var e) ? (a, null) : ((string?)null, e.ToString()));
    if (answer is null)
    {
        host.Remove(handle);
        session.Dispose();
        return Results.BadRequest($"offer refused: {error}");
    }

    string id = Guid.NewGuid().ToString("N");
    calls[id] = (handle, session);
    Console.WriteLine($"call {id[..8]}: answered");
    request.HttpContext.Response.Headers.Location = $"/call/{id}";
    return Results.Text(answer, "application/sdp", statusCode: StatusCodes.Status201Created);
});

// Hanging up. (A server for the open internet would also end calls that fail or never connect, and limit how many
// calls one address may start: `rtcstack serve` does both.)
app.MapDelete("/call/{id}", (string id) =>
{
    if (!calls.TryRemove(id, out var call))
    {
        return Results.NotFound();
    }

    call.Handle.Invoke(now => call.Session.Close(now)); // RTCP BYE and DTLS close_notify to the peer
    host.Remove(call.Handle);
    call.Session.Dispose();
    Console.WriteLine($"call {id[..8]}: ended");
    return Results.Ok();
});

await app.StartAsync();
Console.WriteLine($"EchoPeer listening on {app.Urls.First()}");
await app.WaitForShutdownAsync();
foreach (var call in calls.Values)
{
    host.Remove(call.Handle);
    call.Session.Dispose();
}

return 0;

internal partial class Program
{
    // The page: microphone → RTCPeerConnection → offer (after ICE gathering) → POST /call → answer → play what returns.
    private const string Page = """
        <!doctype html><title>RtcStack echo</title>
        <button id=start>Start</button> <button id=hangup disabled>Stop</button> <span id=state></span><audio id=out autoplay></audio>
        <script>
        let pc, resource;
        start.onclick = async () => {
          start.disabled = true;
          pc = new RTCPeerConnection();
          pc.onconnectionstatechange = () => state.textContent = pc.connectionState;
          pc.ontrack = e => out.srcObject = e.streams[0] ?? new MediaStream([e.track]);
          const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
          pc.addTrack(mic.getAudioTracks()[0], mic);
          await pc.setLocalDescription(await pc.createOffer());
          await new Promise(r => pc.iceGatheringState === 'complete' ? r() : pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r());
          const res = await fetch('/call', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
          if (res.status !== 201) { state.textContent = await res.text(); return; }
          resource = res.headers.get('Location');
          await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
          hangup.disabled = false;
        };
        hangup.onclick = async () => { pc.close(); await fetch(resource, { method: 'DELETE' }); hangup.disabled = true; start.disabled = false; };
        if (new URLSearchParams(location.search).has('start')) start.click(); // /?start: no click needed
        </script>
        """;
}
