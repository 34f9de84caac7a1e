// DataChannelChat: a chat room on WebRTC data channels (RFC 8831, SCTP over DTLS). Open http://127.0.0.1:8082 in
// two browser tabs, give each a name and press Join: what one types, every other member reads.
//
//   dotnet run --project samples/DataChannelChat -- [PORT]       (PORT 0 picks a free one; Ctrl+C stops)
//
// The signalling is EchoPeer's: POST the offer to /join?name=NAME, get the answer (201, Location to DELETE). The page
// opens a channel labelled "chat"; each text message on it goes to every other member as "NAME: text".
using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RtcStack.Sctp.DataChannels;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;

int port = args.Length > 0 && int.TryParse(args[0], out int p) && p is >= 0 and <= 65535 ? p : 8082;
using var host = new UdpSessionHost(new UdpSessionHostOptions { BindAddress = IPAddress.Loopback, IncludeLoopback = true });
var members = new ConcurrentDictionary<string, Member>();

// Each message goes to the members whose "chat" channel is open at that moment; nothing is kept for later joiners.
// Messages go out from one relay loop, not from inside a session's callback: a callback holds its own session's lock,
// and taking another session's lock there could deadlock with that session relaying the other way.
var outbox = Channel.CreateUnbounded<(string From, string Text)>();
_ = Task.Run(async () =>
{
    await foreach ((string from, string text) in outbox.Reader.ReadAllAsync())
    {
        foreach ((string id, Member m) in members)
        {
            if (id != from)
            {
                m.Handle.Invoke(now => // on the member's session, under its lock; a member that left is skipped
                {
                    if (m.Chat is { State: DataChannelState.Open } chat)
                    {
                        m.Session.SendDataChannelText(chat, text, now);
                    }
                });
            }
        }
    }
});

WebApplicationBuilder builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
WebApplication app = builder.Build();
app.MapGet("/", () => Results.Content(Page, "text/html"));

app.MapPost("/join", async (HttpRequest request, string? name) =>
{
    if (request.ContentLength is not (> 0 and <= 64 * 1024) || string.IsNullOrWhiteSpace(name) || name.Length > 32)
    {
        return Results.BadRequest("POST an SDP offer (at most 64 KiB) to /join?name=NAME (1-32 characters)");
    }

    string offer = await new StreamReader(request.Body).ReadToEndAsync();
    string id = Guid.NewGuid().ToString("N");
    var member = new Member(name, new WebRtcSession());

    // The session reports data channel activity as events: the peer's "chat" channel opening, and its messages.
    member.Handle = host.Add(member.Session, (_, now) =>
    {
        while (member.Session.TryPollEvent(out SessionEvent? e))
        {
            switch (e)
            {
                case SessionDataChannelEvent { Event: DataChannelOpenEvent { Channel: { Label: "chat" } channel } }:
                    member.Chat = channel;
                    outbox.Writer.TryWrite((id, $"* {name} joined"));
                    break;
                case SessionDataChannelEvent { Event: DataChannelMessageEvent { IsString: true } message } when message.Channel == member.Chat:
                    outbox.Writer.TryWrite((id, $"{name}: {System.Text.Encoding.UTF8.GetString(message.Data)}"));
                    break;
            }
        }
    });

    (string? answer, string? error) = member.Handle.Invoke(now =>
        member.Session.TryAcceptOffer(offer, now, out string? a, out var e) ? (a, null) : ((string?)null, e?.ToString()));
    if (answer is null)
    {
        host.Remove(member.Handle);
        member.Session.Dispose();
        return Results.BadRequest($"offer refused: {error}");
    }

    members[id] = member;
    Console.WriteLine($"{name} is joining");
    request.HttpContext.Response.Headers.Location = $"/join/{id}";
    return Results.Text(answer, "application/sdp", statusCode: StatusCodes.Status201Created);
});

app.MapDelete("/join/{id}", (string id) =>
{
    if (!members.TryRemove(id, out Member? member))
    {
        return Results.NotFound();
    }

    member.Handle.Invoke(now => member.Session.Close(now)); // closes the SCTP association and DTLS
    host.Remove(member.Handle);
    member.Session.Dispose();
    outbox.Writer.TryWrite((id, $"* {member.Name} left"));
    return Results.Ok();
});

await app.StartAsync();
Console.WriteLine($"DataChannelChat listening on {app.Urls.First()}");
await app.WaitForShutdownAsync();
outbox.Writer.Complete();
return 0;

// One member: its session, the host's handle to it, and its "chat" channel once open.
internal sealed class Member(string name, WebRtcSession session)
{
    public string Name { get; } = name;

    public WebRtcSession Session { get; } = session;

    public UdpSessionHandle Handle { get; set; } = null!;

    public DataChannel? Chat { get; set; }
}

internal partial class Program
{
    private const string Page = """
        <!doctype html><title>RtcStack chat</title>
        <input id=who placeholder=name> <button id=join>Join</button> <span id=state></span>
        <pre id=log style="height:20em;overflow:auto;border:1px solid #ccc"></pre>
        <input id=text size=60 disabled> <button id=send disabled>Send</button>
        <script>
        let pc, chat;
        const show = line => { log.textContent += line + '\n'; log.scrollTop = log.scrollHeight; };
        join.onclick = async () => {
          join.disabled = true;
          pc = new RTCPeerConnection();
          pc.onconnectionstatechange = () => state.textContent = pc.connectionState;
          chat = pc.createDataChannel('chat');
          chat.onopen = () => { text.disabled = send.disabled = false; if (query.has('say')) chat.send(query.get('say')); };
          chat.onmessage = e => show(e.data);
          await pc.setLocalDescription(await pc.createOffer());
          await new Promise(r => pc.iceGatheringState === 'complete' ? r() : pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r());
          const res = await fetch('/join?name=' + encodeURIComponent(who.value || 'anonymous'), { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
          if (res.status !== 201) { state.textContent = await res.text(); return; }
          await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
        };
        send.onclick = () => { chat.send(text.value); show('me: ' + text.value); text.value = ''; };
        // /?name=NAME&join&say=TEXT joins and says TEXT without typing (the browser test uses it).
        const query = new URLSearchParams(location.search);
        who.value = query.get('name') ?? '';
        if (query.has('join')) join.click();
        </script>
        """;
}
