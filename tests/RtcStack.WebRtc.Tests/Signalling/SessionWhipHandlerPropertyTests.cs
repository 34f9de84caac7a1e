using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Signalling;
using Xunit;

namespace RtcStack.WebRtc.Tests.Signalling;

/// <summary>
/// Random sequences of WHIP/WHEP requests (valid and invalid offers, PATCHes, DELETEs, garbage datagrams at the
/// sessions' ports, faults in the application's callbacks and options) and of time (connect deadlines, ICE
/// failures) against a server on a fake clock: however the sequence goes, once every session has ended the handler,
/// the host, the UDP ports and the managed heap (the sessions' objects) are back where they started, and every
/// refusal came with a status and a reason. It runs alone (its collection is not parallelised): it opens and closes
/// hundreds of sockets and sessions in a few seconds, which would load the machine under the timing-sensitive host tests.
/// </summary>
[Collection(Name)]
public sealed class SessionWhipHandlerPropertyTests
{
    /// <summary>The collection of tests that run with nothing beside them.</summary>
    public const string Name = "Runs alone";

    private const string Token = "property-token";
    private const int Ports = 12;
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<string[]> s_offers = new(() => [SessionWhipHandlerTests.Offer(6001), SessionWhipHandlerTests.Offer(6002, deadCandidate: true)]);

    /// <summary>One step of a sequence.</summary>
    public abstract record Op;

    /// <summary>A valid offer to /whip or /whep, with no candidates (it waits for its deadline) or a dead one (ICE fails).</summary>
    public sealed record Post(bool Whep, bool DeadCandidate) : Op;

    /// <summary>An offer that must be refused (garbage, md5 or short fingerprint, no fingerprint, wrong type, too big, no token).</summary>
    public sealed record BadPost(int Variant) : Op;

    /// <summary>A PATCH on a created session (or an unknown one): trickle, no If-Match, stale ETag, malformed, restart, wrong kind...</summary>
    public sealed record Patch(int Target, int Variant) : Op;

    /// <summary>A DELETE on a created session, under its own endpoint or the other kind's.</summary>
    public sealed record Delete(int Target, bool WrongKind) : Op;

    /// <summary>Random datagrams at a session's port.</summary>
    public sealed record Garbage(int Target, int Seed) : Op;

    /// <summary>The clock moves on (in 250 ms steps).</summary>
    public sealed record Advance(int Millis) : Op;

    /// <summary>The next session's event callback throws.</summary>
    public sealed record BreakNextCallback : Op;

    /// <summary>The next session's options are invalid (its constructor throws).</summary>
    public sealed record BreakNextOptions : Op;

    private static Gen<Op> OpGen() =>
        Gen.Frequency(
            (6, from whep in Gen.Elements(false, false, true) from dead in Gen.Elements(false, true) select (Op)new Post(whep, dead)),
            (3, from v in Gen.Choose(0, 7) select (Op)new BadPost(v)),
            (4, from t in Gen.Choose(-1, 20) from v in Gen.Choose(0, 7) select (Op)new Patch(t, v)),
            (2, from t in Gen.Choose(-1, 20) from w in Gen.Elements(false, false, true) select (Op)new Delete(t, w)),
            (2, from t in Gen.Choose(0, 20) from s in Gen.Choose(0, 1000) select (Op)new Garbage(t, s)),
            (3, from ms in Gen.Elements(0, 250, 1000, 5000, 29000, 45000, 61000) select (Op)new Advance(ms)),
            (1, Gen.Constant((Op)new BreakNextCallback())),
            (1, Gen.Constant((Op)new BreakNextOptions())));

    private static Arbitrary<Op[]> Sequences() =>
        Arb.From(
            Gen.Choose(1, 24).SelectMany(n => OpGen().ArrayOf(n)),
            ops => Enumerable.Range(0, ops.Length).Select(i => ops.Where((_, k) => k != i).ToArray()));

    [Property(MaxTest = 30)]
    public Property EverySequenceEndsWithNothingLeft() =>
        Prop.ForAll(Sequences(), ops => RunAsync(ops, sharedSocket: false).GetAwaiter().GetResult());

    [Property(MaxTest = 15)]
    public Property EverySequenceOnASharedSocketEndsWithNoRouteLeft() =>
        Prop.ForAll(Sequences(), ops => RunAsync(ops, sharedSocket: true).GetAwaiter().GetResult());

    private sealed class Run
    {
        public required WebRtcWhipTestServer Server { get; init; }

        public required FakeTimeProvider Time { get; init; }

        public List<(string Url, string ETag, WhipResourceKind Kind, int Port)> Created { get; } = [];

        public List<WeakReference> Ended { get; } = [];

        public int Removed;

        public volatile bool BreakCallback;

        public bool BreakOptions;

        /// <summary>Counts injected faults that fired (each may turn the request in progress into a 500).</summary>
        public int FaultsFired;

        public async Task AdvanceAsync(int millis)
        {
            for (int left = millis; left > 0; left -= 250)
            {
                Time.Advance(TimeSpan.FromMilliseconds(Math.Min(250, left)));
                if (left % 5000 == 0)
                {
                    // Let the receive threads and the thread-pool removals run between steps.
                    await Task.Yield();
                }
            }
        }
    }

    private static async Task<bool> RunAsync(Op[] ops, bool sharedSocket)
    {
        int first = SessionWhipHandlerTests.FreePortRange(Ports);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Run? run = null;
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token,
            o =>
            {
                o.SessionBurstPerClient = 8;
                o.SessionsPerSecondPerClient = 1;
                o.TimeProvider = time;
            },
            new UdpSessionHostOptions { TimeProvider = time, PortRangeStart = first, PortRangeEnd = first + Ports - 1, SharedSocket = sharedSocket, SharedPort = first },
            h =>
            {
                h.ConnectTimeout = s_connectTimeout;
                h.Removed = r =>
                {
                    lock (run!.Ended)
                    {
                        run.Ended.Add(new WeakReference(r));
                        run.Ended.Add(new WeakReference(r.Session));
                        run.Removed++;
                    }
                };
                h.Event = (_, _) =>
                {
                    if (run!.BreakCallback)
                    {
                        run.BreakCallback = false;
                        Interlocked.Increment(ref run.FaultsFired);
                        throw new InvalidOperationException("fault injected into the event callback");
                    }
                };
            });
        run = new Run { Server = server, Time = time };
        server.SessionOptions = _ =>
        {
            WebRtcSessionOptions o = WebRtcWhipTestServer.ClientOptions(Random.Shared.Next(1000, 2000));
            if (run.BreakOptions)
            {
                run.BreakOptions = false;
                Interlocked.Increment(ref run.FaultsFired);
                o = new WebRtcSessionOptions { Transport = o.Transport, SendHistorySize = 3 };
            }

            return o;
        };

        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        foreach (Op op in ops)
        {
            await StepAsync(run, op, udp);
        }

        // The client ends what is left with DELETE, without moving the clock: a session whose ICE or DTLS timers were
        // still queued must not be kept alive by them.
        foreach ((string url, _, _, _) in run.Created)
        {
            using HttpResponseMessage r = await server.Http.DeleteAsync(url);
            Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"DELETE {url}: {(int)r.StatusCode}");
        }

        DateTime until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((server.Handler.Resources.Count > 0 || server.Host.SessionCount > 0 || server.Handler.SessionsRemoved != server.Handler.SessionsCreated) && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        Assert.Empty(server.Handler.Resources);
        Assert.Equal(0, server.Host.SessionCount);
        Assert.Equal(server.Handler.SessionsCreated, server.Handler.SessionsRemoved);
        Assert.Equal(server.Handler.SessionsCreated, Volatile.Read(ref run.Removed));
        Assert.Equal(0, server.Host.RouteCount);
        if (!sharedSocket)
        {
            Assert.True(Enumerable.Range(first, Ports).All(SessionWhipHandlerTests.PortIsFree), "a media port of an ended session is still held");
        }

        Assert.True(await AllCollectedAsync(run.Ended), "an ended session is still reachable after a full GC");
        return true;
    }

    private static async Task StepAsync(Run run, Op op, UdpClient udp)
    {
        WebRtcWhipTestServer server = run.Server;
        switch (op)
        {
            case Post p:
            {
                string offer = s_offers.Value[p.DeadCandidate ? 1 : 0];
                int faults = Volatile.Read(ref run.FaultsFired);
                using HttpResponseMessage r = await server.Http.PostAsync(p.Whep ? "/whep" : "/whip", SessionWhipHandlerTests.Sdp(offer));
                await CheckRefusalAsync(r, Volatile.Read(ref run.FaultsFired) != faults, HttpStatusCode.Created);
                if (r.StatusCode == HttpStatusCode.Created)
                {
                    string url = r.Headers.Location!.OriginalString;
                    int port = server.Handler.Resources.TryGetValue(url.Split('/')[^1], out SessionResource<WebRtcSession>? resource) ? resource.Handle.LocalAddress.Port : 9;
                    run.Created.Add((url, r.Headers.ETag!.Tag, p.Whep ? WhipResourceKind.Whep : WhipResourceKind.Whip, port));
                }
                else if (r.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
                {
                    Assert.NotNull(r.Headers.RetryAfter?.Delta);
                }

                break;
            }

            case BadPost b:
            {
                string offer = s_offers.Value[0];
                HttpContent content = b.Variant switch
                {
                    0 => SessionWhipHandlerTests.Sdp("v=0\r\ngarbage\r\n"),
                    1 => SessionWhipHandlerTests.Sdp(SessionWhipHandlerTests.WithFingerprint(offer, "a=fingerprint:md5 " + SessionWhipHandlerTests.HexBytes(16))),
                    2 => SessionWhipHandlerTests.Sdp(SessionWhipHandlerTests.WithFingerprint(offer, "a=fingerprint:sha-256 " + SessionWhipHandlerTests.HexBytes(31))),
                    3 => SessionWhipHandlerTests.Sdp(SessionWhipHandlerTests.WithFingerprint(offer, "")),
                    4 => new StringContent(offer, Encoding.UTF8, "text/plain"),
                    5 => SessionWhipHandlerTests.Sdp(offer + new string('a', 65 * 1024)),
                    6 => SessionWhipHandlerTests.Sdp(offer.Replace("m=audio", "m=video", StringComparison.Ordinal)),
                    _ => SessionWhipHandlerTests.Sdp(offer),
                };
                using var request = new HttpRequestMessage(HttpMethod.Post, "/whip") { Content = content };
                if (b.Variant == 7)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
                }

                int faults = Volatile.Read(ref run.FaultsFired);
                using HttpResponseMessage r = await server.Http.SendAsync(request);
                await CheckRefusalAsync(r, Volatile.Read(ref run.FaultsFired) != faults);
                Assert.NotEqual(HttpStatusCode.Created, r.StatusCode);
                break;
            }

            case Patch p:
            {
                (string url, string etag, WhipResourceKind kind) = Target(run, p.Target);
                const string Type = "application/trickle-ice-sdpfrag";
                string otherKind = kind == WhipResourceKind.Whip ? "/whep/" : "/whip/";
                (string target, string body, string? ifMatch, string type) = p.Variant switch
                {
                    0 => (url, "a=candidate:1 1 udp 2122260223 127.0.0.1 9 typ host\r\na=end-of-candidates\r\n", etag, Type),
                    1 => (url, "a=end-of-candidates\r\n", null, Type),
                    2 => (url, "a=end-of-candidates\r\n", "\"stale\"", Type),
                    3 => (url, "garbage", etag, Type),
                    4 => (url, "a=ice-ufrag:newU\r\na=ice-pwd:newpasswordnewpassword12\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n", "*", Type),
                    5 => (otherKind + url.Split('/')[^1], "a=end-of-candidates\r\n", etag, Type),
                    6 => (url, "a=ice-ufrag:x\r\na=ice-pwd:y\r\n", "*", Type),
                    _ => (url, "a=end-of-candidates\r\n", etag, "text/plain"),
                };
                using var request = new HttpRequestMessage(HttpMethod.Patch, target) { Content = new StringContent(body, Encoding.UTF8, type) };
                if (ifMatch is not null)
                {
                    request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
                }

                using HttpResponseMessage r = await server.Http.SendAsync(request);
                await CheckRefusalAsync(r, false, HttpStatusCode.NoContent, HttpStatusCode.OK);
                break;
            }

            case Delete d:
            {
                (string url, _, WhipResourceKind kind) = Target(run, d.Target);
                string target = d.WrongKind ? (kind == WhipResourceKind.Whip ? "/whep/" : "/whip/") + url.Split('/')[^1] : url;
                using HttpResponseMessage r = await server.Http.DeleteAsync(target);
                await CheckRefusalAsync(r, false, HttpStatusCode.OK);
                if (d.WrongKind)
                {
                    Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
                }

                break;
            }

            case Garbage g:
                if (run.Created.Count > 0)
                {
                    int port = run.Created[g.Target % run.Created.Count].Port;
                    var random = new Random(g.Seed);
                    for (int i = 0; i < 20; i++)
                    {
                        byte[] datagram = new byte[random.Next(1, 300)];
                        random.NextBytes(datagram);
                        // Some look like STUN, DTLS or RTP by their first byte (RFC 7983).
                        datagram[0] = (i % 4) switch { 0 => 0, 1 => 22, 2 => 128, _ => datagram[0] };
                        udp.Send(datagram, new IPEndPoint(IPAddress.Loopback, port));
                    }
                }

                break;

            case Advance a:
                await run.AdvanceAsync(a.Millis);
                break;

            case BreakNextCallback:
                run.BreakCallback = true;
                break;

            case BreakNextOptions:
                run.BreakOptions = true;
                break;

            default:
                throw new InvalidOperationException(op.ToString());
        }
    }

    private static (string Url, string ETag, WhipResourceKind Kind) Target(Run run, int index)
    {
        if (index < 0 || run.Created.Count == 0)
        {
            return ("/whip/" + new string('f', 32), "\"none\"", WhipResourceKind.Whip);
        }

        (string url, string etag, WhipResourceKind kind, _) = run.Created[index % run.Created.Count];
        return (url, etag, kind);
    }

    /// <summary>A response is one of the expected successes, or a 4xx (a 500 only when a fault was injected), always with a reason.</summary>
    private static async Task CheckRefusalAsync(HttpResponseMessage r, bool faultFired, params HttpStatusCode[] success)
    {
        if (success.Contains(r.StatusCode) && (int)r.StatusCode < 400)
        {
            return;
        }

        int status = (int)r.StatusCode;
        Assert.True(status is >= 400 and < 500 || (status == 500 && faultFired) || status == 503, $"unexpected status {status}: {await r.Content.ReadAsStringAsync()}");
        Assert.False(string.IsNullOrWhiteSpace(await r.Content.ReadAsStringAsync()), $"status {status} without a reason");
    }

    private static async Task<bool> AllCollectedAsync(List<WeakReference> references)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            Collect();
            if (references.TrueForAll(w => !w.IsAlive))
            {
                return true;
            }

            // A receive loop may still be unwinding from its closed socket.
            await Task.Delay(100);
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}

/// <summary>Tests that run after the parallel ones, one at a time.</summary>
[CollectionDefinition(SessionWhipHandlerPropertyTests.Name, DisableParallelization = true)]
public sealed class RunsAloneCollection
{
}
