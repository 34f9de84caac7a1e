using RtcStack.Sdp;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Signalling;
using Xunit;

namespace RtcStack.WebRtc.Tests.Signalling;

/// <summary>
/// What each <see cref="WhipResourceKind"/> lets our side do with media: WHIP receives, WHEP only sends
/// (draft-ietf-wish-whep-03 §4.2.5: the endpoint answers sendonly, whatever the host configured), and a
/// <see cref="WhipResourceKind.Call"/> (the server offers a two-way call) sends and receives and is labelled as one.
/// </summary>
public sealed class WhipResourceKindTests
{
    [Theory]
    [InlineData(MediaDirection.SendRecv, MediaDirection.SendOnly)]
    [InlineData(MediaDirection.SendOnly, MediaDirection.SendOnly)]
    [InlineData(MediaDirection.RecvOnly, MediaDirection.Inactive)]
    [InlineData(MediaDirection.Inactive, MediaDirection.Inactive)]
    public async Task AWhepAnswerNeverReceivesWhateverTheHandlerIsTold(MediaDirection configured, MediaDirection expected)
    {
        using var host = new UdpSessionHost();
        var handler = new WebRtcWhipHandler(host, _ => WebRtcWhipTestServer.ClientOptions(301)) { AnswerDirection = _ => configured };
        WhipCreateResult created = await handler.CreateAsync(WhipResourceKind.Whep, SessionWhipHandlerTests.Offer(302), CancellationToken.None);
        Assert.NotNull(created.AnswerSdp);
        SessionDescription answer = SessionDescription.Parse(created.AnswerSdp!);
        MediaDescription audio = Assert.Single(answer.MediaDescriptions);
        Assert.Equal(expected, answer.GetEffectiveDirection(audio));
        Assert.StartsWith("whep-", handler.Resources[created.ResourceId!].Label, StringComparison.Ordinal);
        handler.CloseAll();
    }

    [Fact]
    public async Task AWhipAnswerKeepsTheConfiguredDirection()
    {
        using var host = new UdpSessionHost();
        var handler = new WebRtcWhipHandler(host, _ => WebRtcWhipTestServer.ClientOptions(303)) { AnswerDirection = _ => MediaDirection.SendRecv };
        WhipCreateResult created = await handler.CreateAsync(WhipResourceKind.Whip, SessionWhipHandlerTests.Offer(304), CancellationToken.None);
        SessionDescription answer = SessionDescription.Parse(created.AnswerSdp!);
        Assert.Equal(MediaDirection.SendRecv, answer.GetEffectiveDirection(Assert.Single(answer.MediaDescriptions)));
        handler.CloseAll();
    }

    [Fact]
    public async Task AWhepOfferThatWouldReceiveIsRefusedAndLeavesNothing()
    {
        using var host = new UdpSessionHost();
        SessionWhipHandler<WebRtcSession> handler = OfferingHandler(host, 305, MediaDirection.SendRecv);
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await handler.CreateOfferAsync(WhipResourceKind.Whep, CancellationToken.None));
        Assert.Contains("only sends", e.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Resources);
    }

    [Fact]
    public async Task AWhepOfferThatOnlySendsIsMade()
    {
        using var host = new UdpSessionHost();
        SessionWhipHandler<WebRtcSession> handler = OfferingHandler(host, 307, MediaDirection.SendOnly);
        (SessionResource<WebRtcSession> r, string offer) = await handler.CreateOfferAsync(WhipResourceKind.Whep, CancellationToken.None);
        SessionDescription parsed = SessionDescription.Parse(offer);
        Assert.Equal(MediaDirection.SendOnly, parsed.GetEffectiveDirection(Assert.Single(parsed.MediaDescriptions)));
        Assert.StartsWith("whep-", r.Label, StringComparison.Ordinal);
        handler.CloseAll();
    }

    [Fact]
    public async Task ACallIsOfferedSendRecvAndLabelledAsACall()
    {
        using var host = new UdpSessionHost();
        SessionWhipHandler<WebRtcSession> handler = OfferingHandler(host, 309, MediaDirection.SendRecv);
        Assert.Equal(MediaDirection.SendRecv, handler.AnswerDirection(WhipResourceKind.Call));
        Assert.Equal(MediaDirection.RecvOnly, handler.AnswerDirection(WhipResourceKind.Whip));
        Assert.Equal(MediaDirection.SendOnly, handler.AnswerDirection(WhipResourceKind.Whep));
        (SessionResource<WebRtcSession> r, string offer) = await handler.CreateOfferAsync(WhipResourceKind.Call, CancellationToken.None);
        SessionDescription parsed = SessionDescription.Parse(offer);
        Assert.Equal(MediaDirection.SendRecv, parsed.GetEffectiveDirection(Assert.Single(parsed.MediaDescriptions)));
        Assert.Equal(WhipResourceKind.Call, r.Kind);
        Assert.StartsWith("call-", r.Label, StringComparison.Ordinal);
        handler.CloseAll();
    }

    // A handler whose sessions carry one audio transceiver in `direction` (what CreateOfferAsync offers).
    private static SessionWhipHandler<WebRtcSession> OfferingHandler(UdpSessionHost host, int seed, MediaDirection direction) => new(host, _ =>
    {
        var session = new WebRtcSession(WebRtcWhipTestServer.ClientOptions(seed));
        session.AddTransceiver(MediaKind.Audio, direction);
        return session;
    });
}
