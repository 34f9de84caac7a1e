using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.Stun;
using RtcStack.WebRtc.Jsep;
using Xunit;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionConnectionTests;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionTests;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// ICE restart through offer and answer (RFC 8829 §5.2.1 and §5.3.1, RFC 8839 §4.4.1.1.1, RFC 8445 §9), on two sessions
/// in virtual time. Media alone proves nothing after a restart (the old pair keeps carrying it), so each test looks at
/// the wire: the credentials in every STUN request, the selected pairs, and media after the old credentials are gone.
/// </summary>
public sealed class WebRtcSessionIceRestartTests
{
    private static readonly byte[] Opus = [0x78, 0x01, 0x02, 0x03];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnOfferThatRestartsIceGivesBothSidesNewCredentialsChecksAndPairsAndMediaGoesOn(bool offererRestarts)
    {
        using var net = new Pair(seed: 61);
        (Transceiver aAudio, Transceiver bAudio) = NegotiateAudio(net);
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));
        Peer offerer = offererRestarts ? net.A : net.B;
        Peer answerer = offererRestarts ? net.B : net.A;
        IceCredentials offererOld = offerer.Session.Transport.LocalCredentials;
        IceCredentials answererOld = answerer.Session.Transport.LocalCredentials;
        IceCandidatePair oldOffererPair = offerer.Session.Transport.SelectedPair!;
        IceCandidatePair oldAnswererPair = answerer.Session.Transport.SelectedPair!;

        // From here on, every STUN request on the wire is recorded with its USERNAME.
        var usernames = new List<(Peer From, string Username)>();
        net.Sent = (from, data) =>
        {
            if (StunMessageReader.TryParse(data, out StunMessageReader m) == StunParseStatus.Ok && m.Class == StunClass.Request
                && m.TryGetAttribute(StunAttributeType.Username, out ReadOnlySpan<byte> u))
            {
                usernames.Add((from, System.Text.Encoding.UTF8.GetString(u)));
            }
        };

        // No trickling from here: the new candidates travel in the offer and the answer only.
        net.ForwardCandidates = false;

        // The offer carries new credentials of the offerer's (RFC 8829 §5.2.1); the answer to it new ones of the
        // answerer's (RFC 8839 §4.4.1.1.1), which both sessions now use.
        string offer = offerer.Session.CreateOffer(net.Now, iceRestart: true);
        (string offerUfrag, string offerPwd) = Credentials(offer);
        Assert.NotEqual(offererOld.Ufrag, offerUfrag);
        Assert.NotEqual(offererOld.Password, offerPwd);
        Assert.True(answerer.Session.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());
        (string answerUfrag, string answerPwd) = Credentials(answer!);
        Assert.NotEqual(answererOld.Ufrag, answerUfrag);
        Assert.NotEqual(answererOld.Password, answerPwd);
        Assert.True(offerer.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        Assert.Equal(new IceCredentials(offerUfrag, offerPwd), offerer.Session.Transport.LocalCredentials);
        Assert.Equal(new IceCredentials(answerUfrag, answerPwd), answerer.Session.Transport.LocalCredentials);
        Assert.Equal(new IceCredentials(answerUfrag, answerPwd), offerer.Session.Transport.IceAgent!.RemoteCredentials);
        Assert.Equal(new IceCredentials(offerUfrag, offerPwd), answerer.Session.Transport.IceAgent!.RemoteCredentials);

        // Both sides select a new pair on which their checks with the new credentials were answered (a response is
        // signed with the answering side's password, RFC 8445 §7.2.2).
        Assert.True(net.RunUntil(
            () => offerer.Session.Transport.SelectedPair is { ResponsesReceived: > 0 } p && !ReferenceEquals(p, oldOffererPair)
                && answerer.Session.Transport.SelectedPair is { ResponsesReceived: > 0 } q && !ReferenceEquals(q, oldAnswererPair),
            TimeSpan.FromSeconds(10)),
            "no new pair was selected on both sides");

        // Every check since the restart used the new credentials (USERNAME is "their ufrag:our ufrag", RFC 8445 §7.2.2),
        // and each side sent some.
        Assert.Contains(usernames, x => x.From == offerer && x.Username == answerUfrag + ":" + offerUfrag);
        Assert.Contains(usernames, x => x.From == answerer && x.Username == offerUfrag + ":" + answerUfrag);
        Assert.All(usernames, x => Assert.True(
            x.Username == answerUfrag + ":" + offerUfrag || x.Username == offerUfrag + ":" + answerUfrag, x.Username));

        // The old credentials are refused now: a check signed with them from the old pair's address gets 401.
        byte[] stale = Check(answererOld.Ufrag + ":" + offererOld.Ufrag, answererOld.Password);
        var replies = new List<byte[]>();
        net.Sent = (from, data) =>
        {
            if (from == answerer && StunMessageReader.TryParse(data, out StunMessageReader m) == StunParseStatus.Ok
                && m.Class == StunClass.ErrorResponse && m.TryGetErrorCode(out int code, out _) && code == 401)
            {
                replies.Add(data);
            }
        };
        answerer.Session.HandleDatagram(answerer.Address, offerer.Address, stale, net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(50));
        Assert.Single(replies);

        // Media after all that, both ways, for well past the consent interval.
        net.Sent = null;
        int aBefore = net.A.Media.Count, bBefore = net.B.Media.Count;
        for (int i = 0; i < 100; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, Opus, (uint)(960 * i), net.Now));
            Assert.True(net.B.Session.SendAudio(bAudio, Opus, (uint)(960 * i), net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(100, net.B.Media.Count - bBefore);
        Assert.Equal(100, net.A.Media.Count - aBefore);
        Assert.Equal(PeerConnectionState.Connected, net.A.Session.State);
        Assert.Equal(PeerConnectionState.Connected, net.B.Session.State);
    }

    /// <summary>
    /// After a restart (by offer, or by a WHIP PATCH, RFC 9725 §4.3.2), a later offer that does not restart carries the
    /// current credentials, so the peer does not take it for another restart (RFC 8839 §4.4.1.1.1): its pair is kept.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALaterOfferWithoutRestartCarriesTheCurrentCredentialsAndKeepsThePairs(bool restartByPatch)
    {
        using var net = new Pair(seed: 62);
        NegotiateAudio(net);
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));
        if (restartByPatch)
        {
            // B restarts as a WHIP server does on a PATCH: it takes A's new credentials and makes new ones of its own.
            IceCredentials aFresh = net.A.Session.Transport.RestartIce(net.Now);
            net.B.Session.RestartIce(aFresh.Ufrag, aFresh.Password, net.Now);
            net.A.Session.Transport.SetRemoteIceCredentials(net.B.Session.Transport.LocalCredentials, net.Now);
            foreach (string c in net.B.Session.LocalCandidateValues())
            {
                Assert.True(net.A.Session.AddRemoteCandidate(c, net.Now), c);
            }
        }
        else
        {
            string restart = net.A.Session.CreateOffer(net.Now, iceRestart: true);
            Assert.True(net.B.Session.TryAcceptOffer(restart, net.Now, out string? restartAnswer, out JsepError? e), e?.ToString());
            Assert.True(net.A.Session.TryApplyAnswer(restartAnswer, net.Now, out e), e?.ToString());
        }

        Assert.True(net.RunUntil(
            () => net.A.Session.Transport.SelectedPair is { ResponsesReceived: > 0 } && net.B.Session.Transport.SelectedPair is { ResponsesReceived: > 0 },
            TimeSpan.FromSeconds(10)));
        IceCredentials a = net.A.Session.Transport.LocalCredentials, b = net.B.Session.Transport.LocalCredentials;
        IceCandidatePair aPair = net.A.Session.Transport.SelectedPair!, bPair = net.B.Session.Transport.SelectedPair!;

        // B offers a video section: the offer and A's answer carry the credentials in use, and nobody restarts.
        net.B.Session.AddTransceiver(MediaKind.Video);
        string offer = net.B.Session.CreateOffer(net.Now);
        Assert.Equal((b.Ufrag, b.Password), Credentials(offer));
        Assert.True(net.A.Session.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.Equal((a.Ufrag, a.Password), Credentials(answer!));
        Assert.True(net.B.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        net.RunFor(TimeSpan.FromSeconds(2));
        Assert.Equal(a, net.A.Session.Transport.LocalCredentials);
        Assert.Equal(b, net.B.Session.Transport.LocalCredentials);
        Assert.Same(aPair, net.A.Session.Transport.SelectedPair);
        Assert.Same(bPair, net.B.Session.Transport.SelectedPair);
    }

    private static (string Ufrag, string Pwd) Credentials(string sdp)
    {
        SessionDescription d = SessionDescription.Parse(sdp);
        MediaDescription m = d.MediaDescriptions.First(x => !x.IsRejected);
        return (d.GetEffectiveIceUfrag(m)!, d.GetEffectiveIcePwd(m)!);
    }

    private static byte[] Check(string username, string password)
    {
        byte[] buffer = new byte[256];
        var w = new StunMessageWriter(buffer, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        w.AddString(StunAttributeType.Username, username);
        w.AddUInt32(StunAttributeType.Priority, 1845501695);
        w.AddUInt64(StunAttributeType.IceControlling, 7);
        w.AddMessageIntegrity(System.Text.Encoding.UTF8.GetBytes(password));
        w.AddFingerprint();
        return w.Written.ToArray();
    }
}
