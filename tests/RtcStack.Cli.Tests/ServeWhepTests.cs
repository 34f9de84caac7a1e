using System.Net;
using System.Text;
using RtcStack.Cli.Serve;
using RtcStack.Sdp;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Jsep;
using Xunit;

namespace RtcStack.Cli.Tests;

/// <summary><c>rtcstack serve</c>'s WHEP endpoint answers <c>sendonly</c> whatever direction the player offers.</summary>
public sealed class ServeWhepTests
{
    [Theory]
    [InlineData(MediaDirection.RecvOnly)]
    [InlineData(MediaDirection.SendRecv)]
    public async Task WhepAnswersSendonly(MediaDirection offered)
    {
        // draft-ietf-wish-whep-03 §4.2.5: the player SHOULD offer recvonly, MAY offer sendrecv; the endpoint MUST answer sendonly.
        await using var app = new ServeApp(new ServeOptions { Port = 0, Mode = ServeMode.Tone });
        await app.StartAsync();
        string baseUrl = app.Urls.First();
        using var player = new WebRtcSession();
        player.AddTransceiver(MediaKind.Audio, offered);
        player.AddLocalAddress(new Stun.TransportAddress(IPAddress.Loopback, 40000));
        string offer = player.CreateOffer(TimeSpan.Zero);
        using var http = new HttpClient();
        using HttpResponseMessage r = await http.PostAsync(baseUrl + "/whep", new StringContent(offer, Encoding.UTF8, "application/sdp"));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        SessionDescription answer = SessionDescription.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal(MediaDirection.SendOnly, answer.GetEffectiveDirection(answer.MediaDescriptions[0]));
        using HttpResponseMessage deleted = await http.DeleteAsync(new Uri(new Uri(baseUrl), r.Headers.Location!));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }
}
