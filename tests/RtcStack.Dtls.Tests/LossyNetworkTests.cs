using RtcStack.Dtls;
using RtcStack.Dtls.Tests.Support;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>Deterministic virtual-time runs: loss, reordering and duplication (RFC 6347 §4.2.4), silent peers, MTU.</summary>
public class LossyNetworkTests
{
    private static VirtualLink Link(int seed, Action<DtlsOptions>? both = null)
    {
        DtlsOptions co = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        DtlsOptions so = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        both?.Invoke(co);
        both?.Invoke(so);
        return new VirtualLink(new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, so), seed);
    }

    public static TheoryData<int> Seeds()
    {
        var d = new TheoryData<int>();
        for (int i = 1; i <= 20; i++)
        {
            d.Add(i);
        }

        return d;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ThirtyPercentLoss_WithReorderingAndDuplication_StillConnects(int seed)
    {
        VirtualLink link = Link(seed, o => o.Mtu = 400);
        link.LossRate = 0.30;
        link.DuplicateRate = 0.20;
        link.Jitter = TimeSpan.FromMilliseconds(80);
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        bool connected = link.RunUntilConnected(TimeSpan.FromSeconds(30));
        Assert.True(connected, $"seed {seed}: client {link.A.State}, server {link.B.State}; " + string.Join("; ", link.EventsA.Concat(link.EventsB)));
        Assert.Equal(link.A.SrtpKeys!.ExporterOutput, link.B.SrtpKeys!.ExporterOutput);
    }

    [Fact]
    public void SilentPeer_ClientRetransmitsWithDoublingTimer_AndTimesOutAtTheLimit()
    {
        DtlsOptions o = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        o.HandshakeTimeout = TimeSpan.FromSeconds(20);
        var client = new DtlsEndpoint(DtlsRole.Client, o);
        client.Start(TimeSpan.Zero);
        var sendTimes = new List<TimeSpan>();
        TimeSpan now = TimeSpan.Zero;
        int guard = 0;
        while (client.State == DtlsState.Handshaking && guard++ < 100)
        {
            while (client.TryPollTransmit(out _))
            {
                sendTimes.Add(now);
            }

            now = client.PollTimeout()!.Value;
            client.HandleTimeout(now);
        }

        Assert.Equal(DtlsState.Failed, client.State);
        Assert.Equal(TimeSpan.FromSeconds(20), now);
        Assert.True(client.TryPollEvent(out DtlsEvent? e));
        var failed = Assert.IsType<DtlsFailedEvent>(e);
        Assert.Equal(DtlsError.Timeout, failed.Error);

        // RFC 6347 §4.2.4.1: 1 s, then doubling: sends at 0, 1, 3, 7, 15 s.
        Assert.Equal(new[] { 0.0, 1, 3, 7, 15 }, sendTimes.Select(t => t.TotalSeconds).ToArray());
        Assert.Null(client.PollTimeout());
    }

    [Fact]
    public void RetransmitTimer_IsCappedAtTheConfiguredMaximum()
    {
        DtlsOptions o = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        o.InitialRetransmitTimeout = TimeSpan.FromMilliseconds(500);
        o.MaxRetransmitTimeout = TimeSpan.FromSeconds(2);
        o.HandshakeTimeout = TimeSpan.FromSeconds(10);
        var client = new DtlsEndpoint(DtlsRole.Client, o);
        client.Start(TimeSpan.Zero);
        var times = new List<double>();
        TimeSpan now = TimeSpan.Zero;
        while (client.State == DtlsState.Handshaking)
        {
            while (client.TryPollTransmit(out _))
            {
                times.Add(now.TotalSeconds);
            }

            now = client.PollTimeout()!.Value;
            client.HandleTimeout(now);
        }

        Assert.Equal(new[] { 0, 0.5, 1.5, 3.5, 5.5, 7.5, 9.5 }, times.ToArray());
    }

    [Fact]
    public void SilentClient_ServerTimesOutAtTheLimit()
    {
        DtlsOptions o = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        o.HandshakeTimeout = TimeSpan.FromSeconds(7);
        var server = new DtlsEndpoint(DtlsRole.Server, o);
        server.Start(TimeSpan.FromSeconds(100));
        Assert.Equal(TimeSpan.FromSeconds(107), server.PollTimeout());
        server.HandleTimeout(TimeSpan.FromSeconds(106.9));
        Assert.Equal(DtlsState.Handshaking, server.State);
        server.HandleTimeout(TimeSpan.FromSeconds(107));
        Assert.Equal(DtlsState.Failed, server.State);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(576)]
    [InlineData(1200)]
    [InlineData(1500)]
    public void EveryDatagram_FitsTheMtu(int mtu)
    {
        VirtualLink link = Link(7, o => o.Mtu = mtu);
        int largest = 0;
        link.Tap = (_, d) =>
        {
            largest = Math.Max(largest, d.Length);
            return d;
        };
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        Assert.InRange(largest, 1, mtu);
    }

    [Fact]
    public void LostFinalFlight_IsResentWhenTheClientRetransmits()
    {
        VirtualLink link = Link(3);
        int serverDatagrams = 0;
        bool dropped = false;
        link.Tap = (toB, d) =>
        {
            // Drop the server's flight 6 (its third transmission: HVR, flight 4, flight 6) once.
            if (!toB && ++serverDatagrams >= 3 && link.B.State == DtlsState.Connected && !dropped)
            {
                dropped = true;
                return null;
            }

            return d;
        };
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(10)));
        Assert.True(dropped);
        Assert.True(link.Now >= TimeSpan.FromSeconds(1));
    }
}
