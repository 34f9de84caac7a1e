using RtcStack.TestSupport;
using FsCheck;
using FsCheck.Fluent;
using RtcStack.Rtp.Bundle;
using Xunit;

namespace RtcStack.Rtp.Tests.Bundle;

/// <summary>RFC 8843 §9.2 association of RTP streams with the sections of a BUNDLE group, and RFC 8852 RIDs.</summary>
public sealed class RtpStreamRouterTests
{
    private static RtpStreamRouter AudioAndVideo()
    {
        var router = new RtpStreamRouter();
        Assert.Equal(0, router.AddSection("0", [111, 63]));
        Assert.Equal(1, router.AddSection("1", [96, 97, 98, 99]));
        return router;
    }

    private static byte[] A(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    [Fact]
    public void TheMidRoutesAndBindsTheSsrcForLaterPacketsWithoutIt()
    {
        RtpStreamRouter router = AudioAndVideo();
        Assert.Equal(new RtpRoute(RtpRouteStatus.Routed, 1, -1, false), router.Route(0x1111, 10, 96, A("1")));
        Assert.Equal(new RtpRoute(RtpRouteStatus.Routed, 1, -1, false), router.Route(0x1111, 11, 96, default));
        Assert.Equal(1, router.BoundSsrcCount);
    }

    [Fact]
    public void AMidOfNoSectionIsNotDecoded()
    {
        RtpStreamRouter router = AudioAndVideo();
        Assert.Equal(RtpRouteStatus.UnknownMid, router.Route(0x1111, 10, 96, A("video")).Status);
        Assert.Equal(0, router.BoundSsrcCount);
    }

    [Fact]
    public void ASignalledSsrcRoutesButOnlyWithAPayloadTypeOfItsSection()
    {
        RtpStreamRouter router = AudioAndVideo();
        Assert.True(router.BindSsrc(0x2222, "0"));
        Assert.Equal(new RtpRoute(RtpRouteStatus.Routed, 0, -1, false), router.Route(0x2222, 1, 111, default));
        Assert.Equal(RtpRouteStatus.PayloadTypeNotInSection, router.Route(0x2222, 2, 96, default).Status);
        Assert.False(router.BindSsrc(0x3333, "9"));
    }

    [Fact]
    public void WithoutMidOrKnownSsrcAPayloadTypeOfOneSectionDecidesAndASharedOneDoesNot()
    {
        var router = new RtpStreamRouter();
        router.AddSection("a", [111, 100]);
        router.AddSection("b", [96, 100]);
        Assert.Equal(new RtpRoute(RtpRouteStatus.Routed, 1, -1, false), router.Route(0x10, 1, 96, default));

        // The SSRC is now bound: it stays in "b" even if its payload type later names "a" (RFC 8843 §9.2 note).
        Assert.Equal(RtpRouteStatus.PayloadTypeNotInSection, router.Route(0x10, 2, 111, default).Status);

        // 100 is received by both sections, so it identifies neither.
        Assert.Equal(RtpRouteStatus.Unroutable, router.Route(0x20, 1, 100, default).Status);
        Assert.Equal(RtpRouteStatus.Unroutable, router.Route(0x30, 1, 55, default).Status);
    }

    [Fact]
    public void OnlyANewerPacketMovesAStreamToAnotherMid()
    {
        var router = new RtpStreamRouter();
        router.AddSection("a", [96]);
        router.AddSection("b", [96]);
        Assert.Equal(0, router.Route(0x10, 100, 96, A("a")).Section);
        Assert.Equal(1, router.Route(0x10, 105, 96, A("b")).Section);

        // A reordered packet from before the change (RFC 7941 §4.2.6) does not move it back.
        Assert.Equal(1, router.Route(0x10, 103, 96, A("a")).Section);
        Assert.Equal(1, router.Route(0x10, 106, 96, default).Section);

        // Across the 16-bit wrap, 2 is newer than 65,530.
        Assert.Equal(0, router.Route(0x20, 65_530, 96, A("a")).Section);
        Assert.Equal(1, router.Route(0x20, 2, 96, A("b")).Section);
    }

    [Fact]
    public void RidsBindSimulcastEncodingsAndTheirRepairStreams()
    {
        var router = new RtpStreamRouter();
        router.AddSection("0", [111]);
        router.AddSection("1", [96, 97], ["h", "m", "l"]);
        Assert.Equal(new RtpRoute(RtpRouteStatus.Routed, 1, 1, false), router.Route(0xA, 1, 96, A("1"), A("m")));
        Assert.Equal(new RtpRoute(RtpRouteStatus.Routed, 1, 1, false), router.Route(0xA, 2, 96, default));
        Assert.Equal(new RtpRoute(RtpRouteStatus.Routed, 1, 1, true), router.Route(0xB, 1, 97, A("1"), default, A("m")));
        Assert.Equal(new RtpRoute(RtpRouteStatus.Routed, 1, 2, false), router.Route(0xC, 1, 96, A("1"), A("l")));
        Assert.Equal(RtpRouteStatus.UnknownRid, router.Route(0xD, 1, 96, A("1"), A("x")).Status);

        // Not yet named: routed to the section, encoding unknown, and bound by the first RID it carries.
        Assert.Equal(new RtpRoute(RtpRouteStatus.Routed, 1, -1, false), router.Route(0xE, 1, 96, A("1")));
        Assert.Equal(new RtpRoute(RtpRouteStatus.Routed, 1, 0, false), router.Route(0xE, 2, 96, A("1"), A("h")));
    }

    [Fact]
    public void ARemovedSectionNoLongerRoutesAndItsPayloadTypesAreCountedAgain()
    {
        var router = new RtpStreamRouter();
        router.AddSection("a", [96]);
        router.AddSection("b", [96, 97]);
        router.Route(0x10, 1, 97, A("b"));
        Assert.Equal(RtpRouteStatus.Unroutable, router.Route(0x20, 1, 96, default).Status);

        router.RemoveSection("b");
        Assert.Equal(0, router.BoundSsrcCount);
        Assert.Equal(RtpRouteStatus.UnknownMid, router.Route(0x10, 2, 97, A("b")).Status);

        // 96 is received by "a" alone now.
        Assert.Equal(new RtpRoute(RtpRouteStatus.Routed, 0, -1, false), router.Route(0x20, 2, 96, default));

        // Indexes stay stable; a new section gets the next one.
        Assert.Equal(2, router.AddSection("c", [98]));
        Assert.Equal(-1, router.FindSection("b"));
    }

    [Fact]
    public void NewStreamsPastTheBoundAreRefusedAndBoundOnesKeepFlowing()
    {
        var router = new RtpStreamRouter(maxBoundSsrcs: 2);
        router.AddSection("0", [96]);
        Assert.Equal(RtpRouteStatus.Routed, router.Route(1, 1, 96, A("0")).Status);
        Assert.Equal(RtpRouteStatus.Routed, router.Route(2, 1, 96, default).Status);
        Assert.Equal(RtpRouteStatus.TooManyStreams, router.Route(3, 1, 96, A("0")).Status);
        Assert.Equal(RtpRouteStatus.TooManyStreams, router.Route(4, 1, 96, default).Status);
        Assert.Equal(RtpRouteStatus.Routed, router.Route(1, 2, 96, default).Status);
        Assert.True(router.Unbind(2));
        Assert.Equal(RtpRouteStatus.Routed, router.Route(3, 2, 96, default).Status);
    }

    [Fact]
    public void RoutingABoundStreamAllocatesNothing()
    {
        var router = new RtpStreamRouter();
        router.AddSection("0", [111]);
        router.AddSection("1", [96], ["h", "m"]);
        byte[] mid = A("1"), rid = A("h");
        router.Route(0xA, 0, 96, mid, rid);
        Assert.Equal(0, AllocationProbe.LeastPerChunk(1, 10_000, 4, i => router.Route(0xA, (ushort)i, 96, mid, rid)));
    }

    [Fact]
    public void AnySequenceOfPacketsStaysWithinTheBoundAndNeverThrows()
    {
        Gen<(uint Ssrc, ushort Seq, byte Pt, int Mid, int Rid)> packet =
            from ssrc in Gen.Choose(0, 40)
            from seq in Gen.Choose(0, 65535)
            from pt in Gen.Elements<byte>(96, 97, 111, 0, 127)
            from mid in Gen.Choose(-1, 3)
            from rid in Gen.Choose(-1, 3)
            select ((uint)ssrc, (ushort)seq, pt, mid, rid);
        string[] mids = ["0", "1", "2", "zz"];
        string[] rids = ["h", "m", "l", "q"];
        Prop.ForAll(Arb.From(Gen.ListOf(packet)), packets =>
        {
            var router = new RtpStreamRouter(maxBoundSsrcs: 8);
            router.AddSection("0", [111]);
            router.AddSection("1", [96, 97], ["h", "m", "l"]);
            router.AddSection("2", [96]);
            foreach ((uint ssrc, ushort seq, byte pt, int mid, int rid) in packets)
            {
                RtpRoute r = router.Route(ssrc, seq, pt, mid < 0 ? default : A(mids[mid]), rid < 0 ? default : A(rids[rid]));
                if (r.Status == RtpRouteStatus.Routed && (r.Section < 0 || r.Section > 2))
                {
                    return false;
                }

                if (router.BoundSsrcCount > 8)
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }
}
