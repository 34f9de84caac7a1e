using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Signalling;
using RtcStack.WebRtc.Transport;
using Xunit;

namespace RtcStack.WebRtc.Tests.Signalling;

/// <summary>
/// WHIP on session core v2 end to end over loopback UDP and HTTP: a <see cref="WebRtcSession"/> client publishes audio
/// and VP8 video to a <see cref="WebRtcWhipHandler"/> that echoes both back; an ICE restart by PATCH keeps media
/// flowing on the new credentials; DELETE ends the call and leaves nothing behind.
/// </summary>
public sealed class WebRtcWhipHandlerTests
{
    private const string Token = "v2-token";

    [Fact]
    public async Task AudioAndVideoPublishedOverWhipComeBackThroughAnIceRestartAndDeleteLeavesNothing()
    {
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, configureHandler: h =>
        {
            h.AnswerDirection = _ => MediaDirection.SendRecv;
            h.Activity = Echo;
        });
        using var clientHost = new UdpSessionHost();
        var client = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(71), Transport = new WebRtcTransportOptions { Random = new Random(72) } });
        Transceiver audio = client.AddTransceiver(MediaKind.Audio);
        Transceiver video = client.AddTransceiver(MediaKind.Video);
        var received = new ConcurrentQueue<(bool Video, uint Timestamp, byte[] Data)>();
        byte[] buffer = new byte[1 << 20];
        UdpSessionHandle h = clientHost.Add(client, (_, _) =>
        {
            while (client.TryPollEvent(out _))
            {
            }

            while (client.TryPollMedia(buffer, out ReceivedMedia m))
            {
                received.Enqueue((m.IsVideo, m.Timestamp, buffer.AsSpan(0, m.Length).ToArray()));
            }
        });

        string offer = h.Invoke(now => client.CreateOffer(now));
        using HttpResponseMessage post = await server.Http.PostAsync("/whip", new StringContent(offer, Encoding.UTF8, "application/sdp"));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        string answer = await post.Content.ReadAsStringAsync();
        Assert.Equal(2, SessionDescription.Parse(answer).MediaDescriptions.Count(m => m.Direction == MediaDirection.SendRecv));
        h.Invoke(now => Assert.True(client.TryApplyAnswer(answer, now, out JsepError? error), error?.ToString()));
        await WaitForAsync(() => h.Invoke(_ => client.State) == PeerConnectionState.Connected, "the client to connect");

        await SendAsync(h, client, audio, video, first: 0, count: 50);
        await WaitForAsync(() => received.Count(r => r.Video) >= 10 && received.Count(r => !r.Video) >= 45, "the first echoes");
        (bool _, uint ts, byte[] data) = received.First(r => r.Video);
        Assert.Equal(Frame(0), data);
        Assert.Equal(0u, ts);

        // RFC 9725 §4.3.2: the client restarts ICE with new credentials of its own; the server restarts too and
        // answers with its new credentials and candidates. Both sides drop the old pairs (RFC 8445 §9), so media can
        // only go on once checks with the new credentials succeed and a new pair is selected.
        Ice.IceCandidatePair? oldPair = h.Invoke(_ => client.Transport.SelectedPair);
        SessionResource<WebRtcSession> r = Assert.Single(server.Handler.Resources).Value;
        Ice.IceCandidatePair? oldServerPair = r.Handle.Invoke(_ => r.Session.Transport.SelectedPair);
        Ice.IceCredentials fresh = h.Invoke(now => client.Transport.RestartIce(now));
        string etag = post.Headers.ETag!.Tag;
        using var patch = new HttpRequestMessage(HttpMethod.Patch, post.Headers.Location)
        {
            Content = new StringContent($"a=ice-ufrag:{fresh.Ufrag}\r\na=ice-pwd:{fresh.Password}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n", Encoding.UTF8, "application/trickle-ice-sdpfrag"),
        };
        patch.Headers.TryAddWithoutValidation("If-Match", "*");
        using HttpResponseMessage restarted = await server.Http.SendAsync(patch);
        Assert.Equal(HttpStatusCode.OK, restarted.StatusCode);
        Assert.True(TrickleIceFragment.TryParse(await restarted.Content.ReadAsStringAsync(), out TrickleIceFragment? fragment, out string? parseError), parseError);
        Assert.NotEqual(etag, restarted.Headers.ETag!.Tag);
        Assert.Equal(restarted.Headers.ETag.Tag.Trim('"'), fragment!.IceUfrag);
        Assert.Equal(fragment.IceUfrag, r.Handle.Invoke(_ => r.Session.LocalIceUfrag));
        Assert.Equal(fresh, r.Handle.Invoke(_ => r.Session.RemoteIceCredentials));
        TrickleIceMedia media = Assert.Single(fragment.Media);
        Assert.NotEmpty(media.Candidates);
        h.Invoke(now =>
        {
            client.Transport.SetRemoteIceCredentials(new Ice.IceCredentials(fragment.IceUfrag!, fragment.IcePwd!), now);
            foreach (string c in media.Candidates)
            {
                Assert.True(client.AddRemoteCandidate(c, now), c);
            }
        });

        // A check is signed with the password of the side that answers it (RFC 8445 §7.2.2), so each side's new pair
        // getting responses proves the other side took its new password.
        await WaitForAsync(() => h.Invoke(_ => client.Transport.SelectedPair) is { ResponsesReceived: > 0 } p && !ReferenceEquals(p, oldPair), "a new client pair checked with the server's new credentials");
        await WaitForAsync(() => r.Handle.Invoke(_ => r.Session.Transport.SelectedPair) is { ResponsesReceived: > 0 } p && !ReferenceEquals(p, oldServerPair), "a new server pair checked with the client's new credentials");
        int before = received.Count;
        await SendAsync(h, client, audio, video, first: 50, count: 50);
        await WaitForAsync(() => received.Count >= before + 50, "echoes after the ICE restart");
        Assert.Equal(PeerConnectionState.Connected, r.State);

        using HttpResponseMessage delete = await server.Http.DeleteAsync(post.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Empty(server.Handler.Resources);
        Assert.Equal(0, server.Host.SessionCount);
        Assert.Equal(server.Handler.SessionsCreated, server.Handler.SessionsRemoved);
        h.Invoke(now => client.Close(now));
        clientHost.Remove(h);
        client.Dispose();
    }

    private static async Task SendAsync(UdpSessionHandle h, WebRtcSession client, Transceiver audio, Transceiver video, int first, int count)
    {
        for (int i = first; i < first + count; i++)
        {
            h.Invoke(now =>
            {
                client.SendAudio(audio, [0x78, (byte)i, 2, 3], (uint)(960 * i), now);
                if (i % 4 == 0)
                {
                    client.SendVideoFrame(video, Frame(i / 4), (uint)(3000 * i), keyFrame: i == 0, now);
                }
            });
            await Task.Delay(10);
        }
    }

    private static byte[] Frame(int index) => Session.WebRtcSessionTests.VideoFrame(index, key: index == 0, size: 2500);

    private static void Echo(SessionResource<WebRtcSession> r, TimeSpan now)
    {
        WebRtcSession s = r.Session;
        byte[] buffer = r.Tag as byte[] ?? new byte[1 << 20];
        r.Tag = buffer;
        while (s.TryPollMedia(buffer, out ReceivedMedia m))
        {
            Transceiver? t = s.Jsep.FindTransceiver(m.Mid);
            if (t is null)
            {
                continue;
            }

            if (m.IsVideo)
            {
                s.SendVideoFrame(t, buffer.AsMemory(0, m.Length).ToArray(), m.Timestamp, m.KeyFrame, now);
            }
            else
            {
                s.SendAudio(t, buffer.AsSpan(0, m.Length), m.Timestamp, now);
            }
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(20);
        }
    }
}
