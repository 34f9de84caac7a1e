using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RtcStack.Sdp;
using RtcStack.Stun;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc.Signalling;
using Xunit;

namespace RtcStack.WebRtc.Tests.Signalling;

/// <summary>
/// <see cref="WhipClient"/> (RFC 9725, client side) against an in-process endpoint on 127.0.0.1 that records every
/// request and answers as a test wants (a real answer made by a <see cref="WebRtcSession"/>, redirects, Links, errors),
/// and against the repository's own WHIP endpoint, where the call connects.
/// </summary>
public sealed class WhipClientTests
{
    private const string Token = "client-test-token";
    private static readonly Lazy<Dtls.DtlsCertificate> s_certificate = new(() => Dtls.DtlsCertificate.Generate(DateTimeOffset.UtcNow));

    [Fact]
    public async Task Post_SendsTheOfferAsApplicationSdpWithTheBearerToken_AndResolvesARelativeLocation()
    {
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync();
        await using WhipClient client = await WhipClient.ConnectAsync(ep.Options("/ep/whip"));

        FakeEndpoint.Request post = Assert.Single(ep.Requests, r => r.Method == "POST");
        Assert.Equal("/ep/whip", post.Path);
        Assert.Equal("application/sdp", post.ContentType);
        Assert.Equal("Bearer " + Token, post.Authorization);
        Assert.Equal(client.OfferSdp, post.Body);
        Assert.Contains("a=sendonly", post.Body, StringComparison.Ordinal);
        // Location "sessions/s1" relative to /ep/whip (RFC 3986 §5.2).
        Assert.Equal(new Uri(ep.BaseAddress + "/ep/sessions/s1"), client.ResourceUrl);
        Assert.Equal("\"e1\"", client.ETag);
        Assert.Equal(0, client.Redirects);
        Assert.Equal(ep.AnswerSdp, client.AnswerSdp);
    }

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Post_FollowsATemporaryOrPermanentRedirect_WithTheSameOfferAndToken(int status)
    {
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(redirectStatus: status);
        await using WhipClient client = await WhipClient.ConnectAsync(ep.Options("/old/whip"));

        FakeEndpoint.Request[] posts = ep.Requests.Where(r => r.Method == "POST").ToArray();
        Assert.Equal(["/old/whip", "/ep/whip"], posts.Select(p => p.Path).ToArray());
        Assert.All(posts, p => Assert.Equal("Bearer " + Token, p.Authorization));
        Assert.All(posts, p => Assert.Equal("application/sdp", p.ContentType));
        Assert.Equal(posts[0].Body, posts[1].Body);
        Assert.Equal(1, client.Redirects);
        Assert.Equal(new Uri(ep.BaseAddress + "/ep/whip"), client.AnsweredBy);
        // The 201's relative Location resolves against the URL that answered, not the one first asked.
        Assert.Equal(new Uri(ep.BaseAddress + "/ep/sessions/s1"), client.ResourceUrl);
    }

    [Fact]
    public async Task ARedirectLoop_EndsWithAClearError()
    {
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(redirectStatus: 307, redirectTo: "/old/whip");
        WhipClientOptions options = ep.Options("/old/whip");
        options.MaxRedirects = 3;
        WhipClientException e = await Assert.ThrowsAsync<WhipClientException>(() => WhipClient.ConnectAsync(options));
        Assert.Contains("more than 3 redirects", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, ep.Requests.Count(r => r.Method == "POST"));
    }

    [Fact]
    public async Task IceServers_AreReadFromLinkHeaders_AndThoseOfferedBeforeTheOfferAreUsedForGathering()
    {
        using var stun = new StunResponder();
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(optionsLinks: [$"<stun:127.0.0.1:{stun.Port}>; rel=\"ice-server\""]);
        await using WhipClient client = await WhipClient.ConnectAsync(ep.Options("/ep/whip"));

        FakeEndpoint.Request options = Assert.Single(ep.Requests, r => r.Method == "OPTIONS");
        Assert.Equal("Bearer " + Token, options.Authorization);
        WhipIceServerLink[] links = client.IceServerLinks.ToArray();
        Assert.Contains(new WhipIceServerLink($"stun:127.0.0.1:{stun.Port}", null, null, null), links);
        Assert.Contains(new WhipIceServerLink("turn:turn.invalid?transport=udp", "user 1", "pa\"ss", "password"), links);
        Assert.DoesNotContain(links, l => l.Uri.Contains("other", StringComparison.Ordinal));
        Ice.IceServer used = Assert.Single(client.IceServersUsed);
        Assert.Equal(new TransportAddress(IPAddress.Loopback, stun.Port), used.Address);
        // And used: the session asked that server for its mapping.
        await WaitUntilAsync(() => stun.Requests > 0, "the session never sent a Binding request to the linked STUN server");
    }

    [Fact]
    public async Task IceServersLinkedOnlyOnThe201_AreGatheredFrom_AndWhatTheyGiveIsTrickledBeforeEndOfCandidates()
    {
        // RFC 9725 §4.6: the 201 is where the RFC wants ICE servers (OPTIONS before the offer is NOT RECOMMENDED). This
        // STUN server maps us to 192.0.2.7:40000, so gathering from it gives a server-reflexive candidate.
        using var stun = new StunResponder(new TransportAddress(IPAddress.Parse("192.0.2.7"), 40000));
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(answerLinks: [$"<stun:127.0.0.1:{stun.Port}>; rel=\"ice-server\""]);
        await using WhipClient client = await WhipClient.ConnectAsync(ep.Options("/ep/whip"));

        Assert.Single(ep.Requests, r => r.Method == "OPTIONS"); // asked, but it named no server
        Assert.DoesNotContain("a=end-of-candidates", client.OfferSdp, StringComparison.Ordinal); // more may follow the 201
        await WaitUntilAsync(() => ep.Requests.Any(r => r.Method == "PATCH" && r.Body.Contains("a=end-of-candidates", StringComparison.Ordinal)), "no PATCH carried end-of-candidates");
        Assert.True(stun.Requests > 0, "the STUN server linked on the 201 was never asked");
        Assert.Contains(new Ice.IceServer(new TransportAddress(IPAddress.Loopback, stun.Port)), client.IceServersUsed);
        FakeEndpoint.Request[] patches = [.. ep.Requests.Where(r => r.Method == "PATCH")];
        int srflx = Array.FindIndex(patches, p => p.Body.Contains("typ srflx", StringComparison.Ordinal));
        int end = Array.FindIndex(patches, p => p.Body.Contains("a=end-of-candidates", StringComparison.Ordinal));
        Assert.True(srflx >= 0, "the server-reflexive candidate was not trickled:\n" + string.Join("\n--\n", patches.Select(p => p.Body)));
        Assert.True(srflx <= end, "end-of-candidates was sent before the server-reflexive candidate (RFC 8838: none may follow it)");
        Assert.Contains("192.0.2.7 40000 typ srflx", patches[srflx].Body, StringComparison.Ordinal);
        Assert.All(patches, p => Assert.Equal("\"e1\"", p.IfMatch));
    }

    [Fact]
    public void LinkHeaderValues_WithSeveralLinksAndQuotedParameters_Parse()
    {
        var links = new List<WhipIceServerLink>();
        int n = WhipIceServerLink.Parse(
            "<stun:stun.example.net>; rel=\"ice-server\", <turn:turn.example.net?transport=tcp>; rel=\"ice-server\"; username=\"a,b;c\"; credential=\"x\\\"y\"; credential-type=\"password\", <https://example.net/ext>; rel=\"urn:ietf:params:whip:ext\"",
            links);
        Assert.Equal(2, n);
        Assert.Equal(new WhipIceServerLink("stun:stun.example.net", null, null, null), links[0]);
        Assert.Equal(new WhipIceServerLink("turn:turn.example.net?transport=tcp", "a,b;c", "x\"y", "password"), links[1]);
        Assert.Equal(0, WhipIceServerLink.Parse("not a link; rel=ice-server", links));
        Assert.Equal(0, WhipIceServerLink.Parse("<stun:x", links));
        Assert.Equal(0, WhipIceServerLink.Parse(new string('<', WhipIceServerLink.MaxHeaderLength + 1), links));
    }

    [Fact]
    public async Task CandidatesGatheredAfterTheOffer_AreTrickledByPatch_AsATrickleIceSdpfragWithIfMatch()
    {
        using var stun = new StunResponder();
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(optionsLinks: [$"<stun:127.0.0.1:{stun.Port}>; rel=\"ice-server\""]);
        await using WhipClient client = await WhipClient.ConnectAsync(ep.Options("/ep/whip"));

        // The STUN server answers after the offer went out, so gathering completes later: end-of-candidates by PATCH.
        Assert.DoesNotContain("a=end-of-candidates", client.OfferSdp, StringComparison.Ordinal);
        await WaitUntilAsync(() => ep.Requests.Any(r => r.Method == "PATCH"), "no PATCH came");
        FakeEndpoint.Request patch = ep.Requests.First(r => r.Method == "PATCH");
        Assert.Equal("/ep/sessions/s1", patch.Path);
        Assert.Equal("application/trickle-ice-sdpfrag", patch.ContentType);
        Assert.Equal("\"e1\"", patch.IfMatch);
        Assert.Equal("Bearer " + Token, patch.Authorization);
        Assert.True(TrickleIceFragment.TryParse(patch.Body, out TrickleIceFragment? fragment, out string? error), error);
        SessionDescription offer = SessionDescription.Parse(client.OfferSdp);
        MediaDescription m = offer.MediaDescriptions[0];
        // RFC 8840 §4.4 / RFC 9725 §4.3.2: the offer's (unchanged) ICE credentials, so not a restart; the section's mid and m= line.
        Assert.Equal(m.IceUfrag, fragment!.IceUfrag);
        Assert.Equal(m.IcePwd, fragment.IcePwd);
        TrickleIceMedia section = Assert.Single(fragment.Media);
        Assert.Equal(m.Mid, section.Mid);
        Assert.StartsWith("audio 9 UDP/TLS/RTP/SAVPF", section.MediaLine, StringComparison.Ordinal);
        Assert.True(ep.Requests.Where(r => r.Method == "PATCH").Any(r => r.Body.Contains("a=end-of-candidates\r\n", StringComparison.Ordinal)), "no PATCH carried end-of-candidates");
        // Nothing the offer already carried is sent again.
        foreach (string c in section.Candidates)
        {
            Assert.DoesNotContain("a=candidate:" + c, client.OfferSdp, StringComparison.Ordinal);
        }

        Assert.All(client.PatchStatuses, s => Assert.Equal(204, s));

        // The fragment as written, with a candidate: CRLF lines, credentials, m=, mid, candidate, end-of-candidates.
        string text = client.BuildTrickleFragment(["1 1 udp 2130706431 127.0.0.1 5000 typ host"], endOfCandidates: true);
        string expected = (fragment.IceOptions is null ? "" : $"a=ice-options:{fragment.IceOptions}\r\n")
            + $"a=ice-ufrag:{m.IceUfrag}\r\na=ice-pwd:{m.IcePwd}\r\nm={section.MediaLine}\r\na=mid:{m.Mid}\r\na=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\na=end-of-candidates\r\n";
        Assert.Equal(expected, text);
    }

    [Fact]
    public async Task Dispose_DeletesTheSessionResource_WithTheToken()
    {
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync();
        WhipClientOptions options = ep.Options("/ep/whip");
        options.RequestTimeout = TimeSpan.FromSeconds(60);
        WhipClient client = await WhipClient.ConnectAsync(options);
        Assert.DoesNotContain(ep.Requests, r => r.Method == "DELETE");

        // The call never connected (the fake endpoint runs no ICE): disposing does not wait for it to settle. (Until
        // the automatic ICE restart's supervisor waited uncancellably for the connection, every such dispose took the
        // whole request timeout, 10 s by default.)
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await client.DisposeAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"dispose took {clock.Elapsed}");
        FakeEndpoint.Request delete = Assert.Single(ep.Requests, r => r.Method == "DELETE");
        Assert.Equal("/ep/sessions/s1", delete.Path);
        Assert.Equal("Bearer " + Token, delete.Authorization);
        Assert.Equal(200, client.DeleteStatus);
        await client.DisposeAsync();
        Assert.Single(ep.Requests, r => r.Method == "DELETE");
    }

    [Theory]
    [InlineData(401, "a valid bearer token is required")]
    [InlineData(422, "the offer has no audio we can take")]
    [InlineData(503, "too busy")]
    public async Task AnErrorStatus_IsAWhipClientException_WithTheStatusAndTheBody_AndNothingIsDeleted(int status, string body)
    {
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(postStatus: status, postBody: body);
        WhipClientException e = await Assert.ThrowsAsync<WhipClientException>(() => WhipClient.ConnectAsync(ep.Options("/ep/whip")));
        Assert.Equal(status, e.StatusCode);
        Assert.Equal(body, e.ResponseBody?.Trim());
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Contains(body, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ep.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task ABadAnswer_OrNoLocation_IsAWhipClientException_AndTheResourceIsDeletedWhenThereIsOne()
    {
        await using (FakeEndpoint ep = await FakeEndpoint.StartAsync(answerOverride: "v=0\r\nthis is not sdp\r\n"))
        {
            WhipClientException e = await Assert.ThrowsAsync<WhipClientException>(() => WhipClient.ConnectAsync(ep.Options("/ep/whip")));
            Assert.Contains("does not apply", e.Message, StringComparison.Ordinal);
            Assert.Single(ep.Requests, r => r.Method == "DELETE" && r.Path == "/ep/sessions/s1");
        }

        await using (FakeEndpoint ep = await FakeEndpoint.StartAsync(location: null))
        {
            WhipClientException e = await Assert.ThrowsAsync<WhipClientException>(() => WhipClient.ConnectAsync(ep.Options("/ep/whip")));
            Assert.Contains("without a Location", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnEndpointThatNeverAnswers_IsATimeout_NotAHang()
    {
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(postDelay: TimeSpan.FromSeconds(60));
        WhipClientOptions options = ep.Options("/ep/whip");
        options.RequestTimeout = TimeSpan.FromSeconds(1);
        var clock = Stopwatch.StartNew();
        WhipClientException e = await Assert.ThrowsAsync<WhipClientException>(() => WhipClient.ConnectAsync(options));
        Assert.Contains("no answer within 1 s", e.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task AgainstOurOwnEndpoint_ThePublisherConnects_AndDisposeDeletesItsSession()
    {
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token);
        var options = new WhipClientOptions
        {
            EndpointUrl = new Uri(server.Web.BaseAddress + "/whip"),
            BearerToken = Token,
            Certificate = s_certificate.Value,
        };
        WhipClient client = await WhipClient.ConnectAsync(options);
        try
        {
            Assert.Single(server.Handler.Resources);
            await client.WaitConnectedAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(PeerConnectionState.Connected, client.Invoke(_ => client.Session.State));
        }
        finally
        {
            await client.DisposeAsync();
        }

        Assert.Equal(200, client.DeleteStatus);
        await WaitUntilAsync(() => server.Handler.Resources.Count == 0, "the server still holds the session after the DELETE");
    }

    [Fact]
    public async Task AWrongTokenAgainstOurOwnEndpoint_Is401WithItsReason()
    {
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token);
        var options = new WhipClientOptions { EndpointUrl = new Uri(server.Web.BaseAddress + "/whip"), BearerToken = "wrong", Certificate = s_certificate.Value };
        WhipClientException e = await Assert.ThrowsAsync<WhipClientException>(() => WhipClient.ConnectAsync(options));
        Assert.Equal(401, e.StatusCode);
        Assert.Contains("bearer token", e.ResponseBody, StringComparison.Ordinal);
        Assert.Empty(server.Handler.Resources);
    }

    [Fact]
    public async Task IceRestart_IsAPatchWithIfMatchStar_NewCredentialsAndCandidates_AndTheAnswerReplacesTheRemoteIce()
    {
        const string NewUfrag = "srv2";
        const string NewPwd = "abcdefghijklmnopqrstuvwx";
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(onPatch: async ctx =>
        {
            if (ctx.Request.Headers.IfMatch.ToString() != "*")
            {
                ctx.Response.StatusCode = 204; // a trickle PATCH
                return;
            }

            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/trickle-ice-sdpfrag";
            ctx.Response.Headers.ETag = "\"e2\"";
            await ctx.Response.WriteAsync($"a=ice-ufrag:{NewUfrag}\r\na=ice-pwd:{NewPwd}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\na=candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active\r\na=end-of-candidates\r\n");
        });
        await using WhipClient client = await WhipClient.ConnectAsync(ep.Options("/ep/whip"));
        Ice.IceCredentials before = client.Invoke(_ => client.Session.Transport.LocalCredentials);
        Assert.Equal("\"e1\"", client.ETag);

        await client.RestartIceAsync();

        FakeEndpoint.Request patch = Assert.Single(ep.Requests, r => r.Method == "PATCH" && r.IfMatch == "*");
        Assert.Equal("application/trickle-ice-sdpfrag", patch.ContentType);
        Assert.Equal("Bearer " + Token, patch.Authorization);
        Assert.True(TrickleIceFragment.TryParse(patch.Body, out TrickleIceFragment? sent, out string? error), error);
        Ice.IceCredentials after = client.Invoke(_ => client.Session.Transport.LocalCredentials);
        // RFC 9725 §4.3.3: the new ufrag and pwd (what the agent now uses), the tagged m= section, the new candidate set.
        Assert.NotEqual(before.Ufrag, sent!.IceUfrag);
        Assert.NotEqual(before.Password, sent.IcePwd);
        Assert.Equal(after, new Ice.IceCredentials(sent.IceUfrag!, sent.IcePwd!));
        TrickleIceMedia section = Assert.Single(sent.Media);
        MediaDescription m = SessionDescription.Parse(client.OfferSdp).MediaDescriptions[0];
        Assert.Equal(m.Mid, section.Mid);
        Assert.StartsWith("audio 9 UDP/TLS/RTP/SAVPF", section.MediaLine, StringComparison.Ordinal);
        Assert.NotEmpty(section.Candidates);
        Assert.All(section.Candidates, c => Assert.Contains(" typ host", c, StringComparison.Ordinal));
        Assert.True(section.EndOfCandidates); // gathering (host only) had completed
        // The same ice-options as the offer (RFC 9725 §4.3.3).
        Assert.NotNull(sent.IceOptions);
        Assert.Contains($"a=ice-options:{sent.IceOptions}\r\n", client.OfferSdp, StringComparison.Ordinal);

        // The endpoint's answer replaced the remote ICE session: its credentials, its one usable candidate (the TCP one
        // is dropped), and its entity-tag for later PATCHes.
        Assert.Equal(1, client.IceRestarts);
        Assert.Equal("\"e2\"", client.ETag);
        Assert.Equal(new Ice.IceCredentials(NewUfrag, NewPwd), client.Invoke(_ => client.Session.RemoteIceCredentials));
        Ice.IceCandidate remote = Assert.Single(client.Invoke(_ => client.Session.Transport.IceAgent!.RemoteCandidates.ToArray()));
        Assert.Equal(40000, remote.Address.Port);
        Assert.Contains(200, client.PatchStatuses);
    }

    [Theory]
    [InlineData(422, "text/plain", "restart refused")]
    [InlineData(405, "text/plain", "")]
    [InlineData(200, "text/plain", "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n")]
    [InlineData(200, "application/trickle-ice-sdpfrag", "a=ice-ufrag:ab\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n")]
    [InlineData(200, "application/trickle-ice-sdpfrag", "a=ice-ufrag:abcd\r\n")]
    public async Task ARefusedOrUnusableIceRestart_IsAWhipClientException_AndTheClientLivesOn(int status, string type, string body)
    {
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(onPatch: async ctx =>
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = type;
            await ctx.Response.WriteAsync(body);
        });
        await using WhipClient client = await WhipClient.ConnectAsync(ep.Options("/ep/whip"));
        Ice.IceCredentials? remoteBefore = client.Invoke(_ => client.Session.RemoteIceCredentials);
        WhipClientException e = await Assert.ThrowsAsync<WhipClientException>(() => client.RestartIceAsync());
        Assert.Equal(status, e.StatusCode);
        Assert.Contains("ICE restart", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, client.IceRestarts);
        Assert.Equal("\"e1\"", client.ETag);
        Assert.NotEqual(remoteBefore, client.Invoke(_ => client.Session.RemoteIceCredentials)); // our agent restarted: no remote credentials until a restart succeeds
        await client.DisposeAsync();
        Assert.Equal(200, client.DeleteStatus);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.RestartIceAsync());
    }

    [Fact]
    public async Task IceRestart_AgainstOurOwnEndpoint_MediaGoesOnOverNewCredentials_AndTheOldOnesAreRefused()
    {
        int received = 0;
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, configureHandler: h => h.Activity = (r, _) =>
        {
            byte[] buffer = r.Tag as byte[] ?? new byte[1500];
            r.Tag = buffer;
            while (r.Session.TryPollMedia(buffer, out ReceivedMedia m))
            {
                if (!m.IsVideo)
                {
                    Interlocked.Increment(ref received);
                }
            }
        });
        var options = new WhipClientOptions { EndpointUrl = new Uri(server.Web.BaseAddress + "/whip"), BearerToken = Token, Certificate = s_certificate.Value };
        await using WhipClient client = await WhipClient.ConnectAsync(options);
        await client.WaitConnectedAsync(TimeSpan.FromSeconds(20));
        SessionResource<WebRtcSession> r = Assert.Single(server.Handler.Resources).Value;
        await SendAudioAsync(client, 0, 25);
        await WaitUntilAsync(() => Volatile.Read(ref received) >= 20, "the server did not get the audio before the restart");

        Ice.IceCredentials clientOld = client.Invoke(_ => client.Session.Transport.LocalCredentials);
        Ice.IceCredentials serverOld = r.Handle.Invoke(_ => r.Session.Transport.LocalCredentials);
        Ice.IceCandidatePair? clientOldPair = client.Invoke(_ => client.Session.Transport.SelectedPair);
        Ice.IceCandidatePair? serverOldPair = r.Handle.Invoke(_ => r.Session.Transport.SelectedPair);
        string? etag = client.ETag;

        await client.RestartIceAsync();

        Ice.IceCredentials clientNew = client.Invoke(_ => client.Session.Transport.LocalCredentials);
        Ice.IceCredentials serverNew = r.Handle.Invoke(_ => r.Session.Transport.LocalCredentials);
        Assert.NotEqual(clientOld, clientNew);
        Assert.NotEqual(serverOld, serverNew);
        Assert.Equal(clientNew, r.Handle.Invoke(_ => r.Session.RemoteIceCredentials)); // the server took ours
        Assert.Equal(serverNew, client.Invoke(_ => client.Session.RemoteIceCredentials)); // and we took its
        Assert.NotEqual(etag, client.ETag);
        Assert.Equal($"\"{serverNew.Ufrag}\"", client.ETag);

        // A check is answered only when signed with the answering side's password (RFC 8445 §7.2.2), so a new pair with
        // responses on each side proves both took the other's new password.
        await WaitUntilAsync(() => client.Invoke(_ => client.Session.Transport.SelectedPair) is { ResponsesReceived: > 0 } p && !ReferenceEquals(p, clientOldPair), "no new client pair checked with the server's new credentials");
        await WaitUntilAsync(() => r.Handle.Invoke(_ => r.Session.Transport.SelectedPair) is { ResponsesReceived: > 0 } p && !ReferenceEquals(p, serverOldPair), "no new server pair checked with the client's new credentials");
        int before = Volatile.Read(ref received);
        await SendAudioAsync(client, 25, 25);
        await WaitUntilAsync(() => Volatile.Read(ref received) >= before + 20, "the server did not get the audio after the restart");
        Assert.Equal(PeerConnectionState.Connected, client.Invoke(_ => client.Session.State));

        // The server's agent answers a check with the new credentials from anywhere (a peer-reflexive candidate, RFC 8445
        // §7.3.1.3) and refuses one with the old ones.
        string[] host = r.Handle.Invoke(_ => r.Session.LocalCandidateValues().First(c => c.Contains(" typ host", StringComparison.Ordinal))).Split(' ');
        var serverAddress = new IPEndPoint(IPAddress.Parse(host[4]), int.Parse(host[5], System.Globalization.CultureInfo.InvariantCulture));
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.True(await CheckAnsweredAsync(probe, serverAddress, $"{serverNew.Ufrag}:{clientNew.Ufrag}", serverNew.Password), "a check with the new credentials was not answered with success");
        Assert.False(await CheckAnsweredAsync(probe, serverAddress, $"{serverOld.Ufrag}:{clientOld.Ufrag}", serverOld.Password), "a check with the old credentials was answered with success");
        Assert.False(await CheckAnsweredAsync(probe, serverAddress, $"{serverOld.Ufrag}:{clientNew.Ufrag}", serverOld.Password), "a check with the server's old ufrag and password was answered with success");
    }

    /// <summary>
    /// RFC 9725 §4.3.3, automatic restart: our own endpoint's UDP host drops every datagram for a while in the middle of
    /// a call (its <c>IncomingFilter</c>: the client's media and checks are lost, as on a broken path). With automatic
    /// restarts on, the client sees ICE disconnected, waits the grace, restarts by PATCH, and media resumes over the new
    /// credentials once the path is back; turned off, no restart is made (media resumes on the old pair by consent).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WhenThePathBreaksMidCall_TheClientRestartsIceByItself_AndMediaResumes(bool auto)
    {
        int received = 0;
        int blocked = 0;
        var hostOptions = new global::RtcStack.WebRtc.Io.UdpSessionHostOptions { IncomingFilter = (_, _) => Volatile.Read(ref blocked) == 0 };
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, hostOptions: hostOptions, configureHandler: h => h.Activity = (r, _) => CountAudio(r, ref received));
        var events = new ConcurrentQueue<WhipIceRestartEvent>();
        var options = new WhipClientOptions
        {
            EndpointUrl = new Uri(server.Web.BaseAddress + "/whip"),
            BearerToken = Token,
            Certificate = s_certificate.Value,
            AutoIceRestart = auto,
            IceDisconnectedTimeout = TimeSpan.FromSeconds(1.5),
            IceRestartGrace = TimeSpan.FromSeconds(0.5),
            IceRestartEvent = events.Enqueue,
        };
        await using WhipClient client = await WhipClient.ConnectAsync(options);
        await client.WaitConnectedAsync(TimeSpan.FromSeconds(20));
        SessionResource<WebRtcSession> r = Assert.Single(server.Handler.Resources).Value;
        using var stopAudio = new CancellationTokenSource();
        Task audio = SendAudioUntilAsync(client, stopAudio.Token);
        try
        {
            await WaitUntilAsync(() => Volatile.Read(ref received) >= 20, "the server did not get the audio before the break");
            Ice.IceCredentials clientOld = client.Invoke(_ => client.Session.Transport.LocalCredentials);
            string? etag = client.ETag;

            Volatile.Write(ref blocked, 1);
            await WaitUntilAsync(() => client.Invoke(_ => client.Session.Transport.IceAgent!.ConnectionState) == Ice.IceConnectionState.Disconnected, "the client never saw ICE disconnected");
            if (auto)
            {
                await WaitUntilAsync(() => events.Any(e => e.Step == WhipIceRestartStep.Answered), "no automatic restart was made");
            }
            else
            {
                await Task.Delay(2000); // longer than the grace: a restart would have started
            }

            await Task.Delay(500); // the restart's first checks are lost too
            int atUnblock = Volatile.Read(ref received);
            Volatile.Write(ref blocked, 0);
            await WaitUntilAsync(() => Volatile.Read(ref received) >= atUnblock + 25, "media did not resume after the path came back");
            Ice.IceCredentials clientNow = client.Invoke(_ => client.Session.Transport.LocalCredentials);
            if (auto)
            {
                await WaitUntilAsync(() => events.Any(e => e.Step == WhipIceRestartStep.Reconnected), "no Reconnected step");
                WhipIceRestartEvent first = events.First();
                Assert.Equal(WhipIceRestartStep.Started, first.Step);
                Assert.Contains("disconnected", first.Message, StringComparison.Ordinal);
                Assert.True(client.IceRestarts >= 1);
                Assert.NotEqual(clientOld, clientNow);
                Assert.Equal(clientNow, r.Handle.Invoke(_ => r.Session.RemoteIceCredentials)); // the server took our new credentials
                Assert.NotEqual(etag, client.ETag);
                Assert.DoesNotContain(events, e => e.Step is WhipIceRestartStep.GaveUp or WhipIceRestartStep.Refused);
                Assert.Equal(client.IceRestartLog, events.ToArray());
            }
            else
            {
                Assert.Empty(events);
                Assert.Equal(0, client.IceRestarts);
                Assert.Equal(clientOld, clientNow);
                Assert.Equal(etag, client.ETag);
            }

            Assert.False(client.Ended.IsCompleted);
            // Without a restart the old pair is marked alive again only by the next consent response (up to 5 s).
            await WaitUntilAsync(() => client.Invoke(_ => client.Session.State) == PeerConnectionState.Connected, "the session did not come back to connected");
        }
        finally
        {
            stopAudio.Cancel();
            await audio;
        }

        await client.DisposeAsync();
        Assert.Equal(200, client.DeleteStatus);
        Assert.Null(await client.Ended);
    }

    /// <summary>
    /// RFC 9725 §4.3.3: the endpoint refuses the automatic restart (a handler in front of our own endpoint answers every
    /// restart PATCH). A status that repeating cannot change (404: the session is gone) ends it at the first attempt; a
    /// temporary one (503 with Retry-After, 412) is retried with back-off up to the limit; then the client gives up:
    /// DELETE, the session closed, <see cref="WhipClient.Ended"/> with the reason. No hang, no exception.
    /// </summary>
    [Theory]
    [InlineData(404, 1)]
    [InlineData(503, 3)]
    [InlineData(412, 3)]
    public async Task ARefusedAutomaticRestart_IsRetriedOnlyWhenItMayHelp_ThenTheSessionEndsWithTheReason(int status, int attempts)
    {
        int blocked = 0;
        var hostOptions = new global::RtcStack.WebRtc.Io.UdpSessionHostOptions { IncomingFilter = (_, _) => Volatile.Read(ref blocked) == 0 };
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, hostOptions: hostOptions);
        var refuser = new RestartRefuser(status) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false } };
        var options = new WhipClientOptions
        {
            EndpointUrl = new Uri(server.Web.BaseAddress + "/whip"),
            BearerToken = Token,
            Certificate = s_certificate.Value,
            HttpHandler = refuser,
            IceDisconnectedTimeout = TimeSpan.FromSeconds(1),
            IceRestartGrace = TimeSpan.FromSeconds(0.2),
            IceRestartBackoff = TimeSpan.FromSeconds(0.2),
            MaxIceRestartAttempts = 3,
        };
        try
        {
            await using WhipClient client = await WhipClient.ConnectAsync(options);
            await client.WaitConnectedAsync(TimeSpan.FromSeconds(20));
            Volatile.Write(ref blocked, 1);
            Task done = await Task.WhenAny(client.Ended, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.Same(client.Ended, done);
            string? reason = await client.Ended;
            Assert.NotNull(reason);
            Assert.Contains($"{status}", reason, StringComparison.Ordinal);
            IReadOnlyList<WhipIceRestartEvent> log = client.IceRestartLog;
            Assert.Equal(attempts, log.Count(e => e.Step == WhipIceRestartStep.Started));
            Assert.Equal(attempts, log.Count(e => e.Step == WhipIceRestartStep.Refused && e.StatusCode == status));
            Assert.Equal(WhipIceRestartStep.GaveUp, log[^1].Step);
            Assert.Equal(attempts, refuser.Refused);
            if (status == 503)
            {
                // Retry-After: 1 is longer than the back-off (0.2 s, 0.4 s): each retry waited for it.
                WhipIceRestartEvent[] started = [.. log.Where(e => e.Step == WhipIceRestartStep.Started)];
                for (int i = 1; i < started.Length; i++)
                {
                    Assert.True(started[i].At - started[i - 1].At >= TimeSpan.FromSeconds(0.9), $"attempt {i + 1} came {(started[i].At - started[i - 1].At).TotalMilliseconds:0} ms after the one before");
                }
            }

            Assert.Equal(200, client.DeleteStatus); // the client ended the session resource itself
            Assert.Equal(PeerConnectionState.Closed, client.Invoke(_ => client.Session.State));
            await WaitUntilAsync(() => server.Handler.Resources.Count == 0, "the endpoint still holds the session");
        }
        finally
        {
            Volatile.Write(ref blocked, 0);
        }
    }

    /// <summary>
    /// WHEP -03 §4.2.2: the counter-offer is valid until the <c>valid-until</c> HTTP-date of its Content-Type, or 30 s
    /// after it was sent. The date is read against the response's own Date header (the endpoint's clock), not ours.
    /// </summary>
    [Theory]
    [InlineData(null, null, 30.0)] // no parameter: 30 s
    [InlineData("Wed, 09 Oct 2024 10:00:10 GMT", "Wed, 09 Oct 2024 10:00:00 GMT", 10.0)] // 10 s after the Date, whatever our clock says
    [InlineData("Wed, 09 Oct 2024 09:59:55 GMT", "Wed, 09 Oct 2024 10:00:00 GMT", -5.0)] // expired when sent
    [InlineData("tomorrow", "Wed, 09 Oct 2024 10:00:00 GMT", 30.0)] // not an HTTP-date: ignored
    public void TheCounterOffersValidity_IsItsValidUntilMinusItsDate_Or30Seconds(string? validUntil, string? date, double seconds)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.NotAcceptable) { Content = new StringContent("v=0\r\n") };
        response.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(validUntil is null ? "application/sdp" : $"application/sdp; valid-until=\"{validUntil}\"");
        if (date is not null)
        {
            response.Headers.Date = DateTimeOffset.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(TimeSpan.FromSeconds(seconds), WhipClient.CounterOfferValidity(response));
    }

    [Fact]
    public async Task AnExpiredWhep406CounterOffer_IsNotAnswered_AndIsAWhipClientException()
    {
        using var offerer = new WebRtcSession(WebRtcWhipTestServer.ClientOptions(1235));
        offerer.AddTransceiver(global::RtcStack.WebRtc.Jsep.MediaKind.Audio, MediaDirection.SendOnly);
        string offer = offerer.CreateOffer(TimeSpan.Zero);
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(counterOffer: () => offer, counterOfferValidity: TimeSpan.FromSeconds(-5));
        WhipClientOptions options = ep.Options("/ep/whip");
        options.Kind = WhipResourceKind.Whep;
        WhipClientException e = await Assert.ThrowsAsync<WhipClientException>(() => WhipClient.ConnectAsync(options));
        Assert.Equal(406, e.StatusCode);
        Assert.Contains("expired", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ep.Requests, r => r.Method == "PATCH"); // no answer sent
        Assert.Contains(ep.Requests, r => r.Method == "DELETE" && r.Path == "/ep/sessions/s1"); // the pending resource is let go
    }

    [Fact]
    public async Task AWhep406CounterOffer_IsAnsweredByPatchAsApplicationSdp_AndThePlayerConnectsAndReceives()
    {
        using var serverHost = new global::RtcStack.WebRtc.Io.UdpSessionHost();
        var server = new WebRtcSession(WebRtcWhipTestServer.ClientOptions(1234));
        var h = serverHost.Add(server, (_, _) =>
        {
            while (server.TryPollEvent(out _))
            {
            }
        });
        var send = h.Invoke(_ => server.AddTransceiver(global::RtcStack.WebRtc.Jsep.MediaKind.Audio, MediaDirection.SendOnly));
        string offer = h.Invoke(now => server.CreateOffer(now));
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(counterOffer: () => offer, onPatch: ctx =>
        {
            // The player's answer (application/sdp) applies to the endpoint's session: 204 (-03 §4.2.2); trickle: 204.
            bool sdp = ctx.Request.ContentType?.StartsWith("application/sdp", StringComparison.Ordinal) == true;
            ctx.Response.StatusCode = !sdp || h.Invoke(now => server.TryApplyAnswer((string)ctx.Items["body"]!, now, out _)) ? 204 : 400;
            return Task.CompletedTask;
        });
        int received = 0;
        WhipClientOptions options = ep.Options("/ep/whip");
        options.Kind = WhipResourceKind.Whep;
        options.Activity = (s, _) =>
        {
            byte[] buffer = new byte[1500];
            while (s.TryPollMedia(buffer, out ReceivedMedia m))
            {
                Interlocked.Increment(ref received);
            }
        };
        WhipClient client = await WhipClient.ConnectAsync(options);
        try
        {
            Assert.Equal(offer, client.AnswerSdp);
            Assert.Equal("/ep/sessions/s1", client.ResourceUrl.AbsolutePath);
            FakeEndpoint.Request patch = Assert.Single(ep.Requests, r => r.Method == "PATCH" && r.ContentType == "application/sdp");
            Assert.Equal("Bearer " + Token, patch.Authorization);
            Assert.Equal(204, client.PatchStatuses[0]);
            MediaDescription answered = Assert.Single(SessionDescription.Parse(patch.Body).MediaDescriptions);
            Assert.Equal(MediaDirection.RecvOnly, answered.Direction);
            Assert.Equal(global::RtcStack.WebRtc.Jsep.MediaKind.Audio, client.Audio.Kind);

            await client.WaitConnectedAsync(TimeSpan.FromSeconds(20));
            for (int i = 0; i < 25; i++)
            {
                h.Invoke(now => server.SendAudio(send, [0x78, (byte)i, 2, 3], (uint)(960 * i), now));
                await Task.Delay(10);
            }

            await WaitUntilAsync(() => Volatile.Read(ref received) >= 20, "the player did not receive the endpoint's audio");
        }
        finally
        {
            await client.DisposeAsync();
            h.Invoke(now => server.Close(now));
            serverHost.Remove(h);
            server.Dispose();
        }

        Assert.Equal(200, client.DeleteStatus);
    }

    [Fact]
    public async Task A406ToAWhipPublisher_OrWithoutAnOffer_IsAWhipClientException()
    {
        await using FakeEndpoint ep = await FakeEndpoint.StartAsync(postStatus: 406, postBody: "no");
        WhipClientException e = await Assert.ThrowsAsync<WhipClientException>(() => WhipClient.ConnectAsync(ep.Options("/ep/whip")));
        Assert.Equal(406, e.StatusCode);
        WhipClientOptions whep = ep.Options("/ep/whip");
        whep.Kind = WhipResourceKind.Whep;
        e = await Assert.ThrowsAsync<WhipClientException>(() => WhipClient.ConnectAsync(whep)); // text/plain, no Location
        Assert.Equal(406, e.StatusCode);
        Assert.DoesNotContain(ep.Requests, r => r.Method is "PATCH" or "DELETE");
    }

    private static void CountAudio(SessionResource<WebRtcSession> r, ref int received)
    {
        byte[] buffer = r.Tag as byte[] ?? new byte[1500];
        r.Tag = buffer;
        while (r.Session.TryPollMedia(buffer, out ReceivedMedia m))
        {
            if (!m.IsVideo)
            {
                Interlocked.Increment(ref received);
            }
        }
    }

    private static async Task SendAudioUntilAsync(WhipClient client, CancellationToken stop)
    {
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            client.Invoke(now => client.Session.SendAudio(client.Audio, [0x78, (byte)i, 2, 3], (uint)(960 * i), now));
            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Answers every ICE restart PATCH (If-Match: "*") with one status (503 with Retry-After: 1); passes the rest on.</summary>
    private sealed class RestartRefuser(int status) : DelegatingHandler
    {
        private int _refused;

        public int Refused => Volatile.Read(ref _refused);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Patch && request.Headers.TryGetValues("If-Match", out IEnumerable<string>? m) && m.Contains("*"))
            {
                Interlocked.Increment(ref _refused);
                var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("refused by the test\n"), RequestMessage = request };
                if (status == 503)
                {
                    response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
                }

                return Task.FromResult(response);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    private static async Task SendAudioAsync(WhipClient client, int first, int count)
    {
        for (int i = first; i < first + count; i++)
        {
            client.Invoke(now => client.Session.SendAudio(client.Audio, [0x78, (byte)i, 2, 3], (uint)(960 * i), now));
            await Task.Delay(10);
        }
    }

    // A Binding request as a controlling agent's check (RFC 8445 §7.1.1, §7.2.2); true if a success response came within 1 s.
    private static async Task<bool> CheckAnsweredAsync(UdpClient probe, IPEndPoint to, string username, string password)
    {
        byte[] buffer = new byte[256];
        StunTransactionId id = StunTransactionId.NewRandom();
        var w = new StunMessageWriter(buffer, StunMessageType.BindingRequest, id);
        w.AddString(StunAttributeType.Username, username);
        w.AddUInt32(StunAttributeType.Priority, 0x6E7F1EFF);
        w.AddUInt64(StunAttributeType.IceControlling, 0x1234_5678_9ABC_DEF0);
        w.AddMessageIntegrity(System.Text.Encoding.UTF8.GetBytes(password));
        w.AddFingerprint();
        await probe.SendAsync(buffer.AsMemory(0, w.Length), to);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            while (true)
            {
                UdpReceiveResult r = await probe.ReceiveAsync(timeout.Token);
                if (StunMessageReader.TryParse(r.Buffer, out StunMessageReader reply) == StunParseStatus.Ok && reply.TransactionId == id)
                {
                    return reply.MessageType == StunMessageType.BindingSuccess;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string message)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), message);
            await Task.Delay(50);
        }
    }

    /// <summary>A WHIP endpoint that records requests and answers as configured: POST /ep/whip → 201 with a real answer.</summary>
    private sealed class FakeEndpoint : IAsyncDisposable
    {
        private readonly TestPageHost _web;

        private FakeEndpoint(TestPageHost web, ConcurrentQueue<Request> requests, Func<string> answer)
        {
            _web = web;
            RequestQueue = requests;
            AnswerFactory = answer;
        }

        public string BaseAddress => _web.BaseAddress;

        public IReadOnlyList<Request> Requests => [.. RequestQueue];

        public string AnswerSdp => AnswerFactory();

        private ConcurrentQueue<Request> RequestQueue { get; }

        private Func<string> AnswerFactory { get; }

        public static async Task<FakeEndpoint> StartAsync(
            int redirectStatus = 307,
            string redirectTo = "/ep/whip",
            string[]? optionsLinks = null,
            int postStatus = 201,
            string postBody = "",
            string? answerOverride = null,
            string? location = "sessions/s1",
            TimeSpan? postDelay = null,
            Func<HttpContext, Task>? onPatch = null,
            string[]? answerLinks = null,
            Func<string>? counterOffer = null,
            TimeSpan? counterOfferValidity = null)
        {
            var requests = new ConcurrentQueue<Request>();
            string? lastAnswer = null;
            TestPageHost web = await TestPageHost.StartAsync(new Dictionary<string, string>(), app =>
            {
                app.Use(async (HttpContext ctx, RequestDelegate next) =>
                {
                    using var reader = new StreamReader(ctx.Request.Body);
                    string body = await reader.ReadToEndAsync();
                    requests.Enqueue(new Request(ctx.Request.Method, ctx.Request.Path, ctx.Request.ContentType, ctx.Request.Headers.Authorization.ToString(), ctx.Request.Headers.IfMatch.ToString(), body));
                    ctx.Items["body"] = body;
                    await next(ctx);
                });
                app.MapMethods("/ep/whip", ["OPTIONS"], (HttpContext ctx) =>
                {
                    foreach (string l in optionsLinks ?? [])
                    {
                        ctx.Response.Headers.Append("Link", l);
                    }

                    ctx.Response.StatusCode = 204;
                    return Task.CompletedTask;
                });
                app.MapPost("/old/whip", (HttpContext ctx) =>
                {
                    ctx.Response.StatusCode = redirectStatus;
                    ctx.Response.Headers.Location = redirectTo;
                    return Task.CompletedTask;
                });
                app.MapPost("/ep/whip", async (HttpContext ctx) =>
                {
                    if (counterOffer is not null)
                    {
                        // WHEP -03 §4.2.2: 406, the endpoint's own offer, and the session URL.
                        ctx.Response.StatusCode = 406;
                        ctx.Response.Headers.Location = location;
                        ctx.Response.Headers.ETag = "\"e1\"";
                        ctx.Response.ContentType = "application/sdp";
                        if (counterOfferValidity is TimeSpan validity)
                        {
                            // WHEP -03 §4.2.2: an HTTP-date, measured against this response's Date.
                            DateTimeOffset date = DateTimeOffset.UtcNow;
                            ctx.Response.Headers.Date = date.ToString("r", System.Globalization.CultureInfo.InvariantCulture);
                            ctx.Response.ContentType = $"application/sdp; valid-until=\"{(date + validity).ToString("r", System.Globalization.CultureInfo.InvariantCulture)}\"";
                        }

                        await ctx.Response.WriteAsync(counterOffer());
                        return;
                    }

                    if (postDelay is TimeSpan delay)
                    {
                        await Task.Delay(delay, ctx.RequestAborted);
                    }

                    if (postStatus != 201)
                    {
                        ctx.Response.StatusCode = postStatus;
                        ctx.Response.ContentType = "text/plain";
                        await ctx.Response.WriteAsync(postBody + "\n");
                        return;
                    }

                    using var session = new WebRtcSession(new WebRtcSessionOptions { Transport = new RtcStack.WebRtc.Transport.WebRtcTransportOptions { Certificate = s_certificate.Value } });
                    Assert.True(session.TryAnswer((string)ctx.Items["body"]!, MediaDirection.RecvOnly, TimeSpan.Zero, out string? answer, out var error), error?.ToString());
                    lastAnswer = answerOverride ?? answer;
                    ctx.Response.StatusCode = 201;
                    if (location is not null)
                    {
                        ctx.Response.Headers.Location = location;
                    }

                    ctx.Response.Headers.ETag = "\"e1\"";
                    ctx.Response.Headers.Append("Link", "<turn:turn.invalid?transport=udp>; rel=\"ice-server\"; username=\"user 1\"; credential=\"pa\\\"ss\"; credential-type=\"password\"");
                    foreach (string l in answerLinks ?? [])
                    {
                        ctx.Response.Headers.Append("Link", l);
                    }

                    ctx.Response.Headers.Append("Link", "<https://example.net/other>; rel=\"urn:ietf:params:whip:ext:other\"");
                    ctx.Response.ContentType = "application/sdp";
                    await ctx.Response.WriteAsync(lastAnswer);
                });
                app.MapPatch("/ep/sessions/s1", (HttpContext ctx) =>
                {
                    if (onPatch is not null)
                    {
                        return onPatch(ctx);
                    }

                    ctx.Response.StatusCode = 204;
                    return Task.CompletedTask;
                });
                app.MapDelete("/ep/sessions/s1", (HttpContext ctx) =>
                {
                    ctx.Response.StatusCode = 200;
                    return Task.CompletedTask;
                });
            });
            return new FakeEndpoint(web, requests, () => lastAnswer ?? "");
        }

        public WhipClientOptions Options(string path) => new()
        {
            EndpointUrl = new Uri(BaseAddress + path),
            BearerToken = Token,
            Certificate = s_certificate.Value,
            RequestTimeout = TimeSpan.FromSeconds(10),
        };

        public ValueTask DisposeAsync() => _web.DisposeAsync();

        public sealed record Request(string Method, string Path, string? ContentType, string Authorization, string IfMatch, string Body);
    }

    private static StunTransactionId? BindingRequestId(byte[] datagram) =>
        StunMessageReader.TryParse(datagram, out StunMessageReader request) == StunParseStatus.Ok && request.MessageType == StunMessageType.BindingRequest ? request.TransactionId : null;

    private static int WriteSuccess(byte[] buffer, StunTransactionId id, TransportAddress mapped)
    {
        var w = new StunMessageWriter(buffer, StunMessageType.BindingSuccess, id);
        w.AddXorAddress(StunAttributeType.XorMappedAddress, mapped);
        w.AddFingerprint();
        return w.Length;
    }

    /// <summary>A STUN server on 127.0.0.1 that answers Binding requests (RFC 8489 §6.3.3) after 200 ms, and counts them.</summary>
    private sealed class StunResponder : IDisposable
    {
        private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource _stop = new();
        private int _requests;

        public StunResponder(TransportAddress? mapped = null)
        {
            Mapped = mapped;
            Port = ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;
            _ = Task.Run(LoopAsync);
        }

        public int Port { get; }

        /// <summary>Gets the address every response maps to (null: the request's source).</summary>
        public TransportAddress? Mapped { get; }

        public int Requests => Volatile.Read(ref _requests);

        public void Dispose()
        {
            _stop.Cancel();
            _udp.Dispose();
            _stop.Dispose();
        }

        private async Task LoopAsync()
        {
            byte[] response = new byte[512];
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    UdpReceiveResult r = await _udp.ReceiveAsync(_stop.Token);
                    if (BindingRequestId(r.Buffer) is not StunTransactionId id)
                    {
                        continue;
                    }

                    Interlocked.Increment(ref _requests);
                    await Task.Delay(200, _stop.Token);
                    int length = WriteSuccess(response, id, Mapped ?? new TransportAddress(r.RemoteEndPoint));
                    await _udp.SendAsync(response.AsMemory(0, length), r.RemoteEndPoint, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // Stopped.
            }
        }
    }
}
