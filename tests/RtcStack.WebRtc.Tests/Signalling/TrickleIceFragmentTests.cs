using RtcStack.WebRtc.Signalling;
using Xunit;

namespace RtcStack.WebRtc.Tests.Signalling;

/// <summary>
/// The <c>application/trickle-ice-sdpfrag</c> parser (RFC 8840 §9.2, as WHIP/WHEP PATCH bodies use it) on the
/// layouts real clients send; see specs/rfc8840.md.
/// </summary>
public sealed class TrickleIceFragmentTests
{
    [Fact]
    public void MediaLevelCredentialsAndUnknownLinesAsInTheWhepExample()
    {
        // The layout of the draft-ietf-wish-whep trickle example: a session-level BUNDLE group, the
        // credentials inside the media section, UDP and TCP candidates with extensions, end-of-candidates.
        const string text = "a=group:BUNDLE 0 1\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
            + "a=mid:0\r\n"
            + "a=ice-ufrag:EsAw\r\n"
            + "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
            + "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1\r\n"
            + "a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw network-id 1\r\n"
            + "a=end-of-candidates\r\n";
        Assert.True(TrickleIceFragment.TryParse(text, out TrickleIceFragment? f, out string? error), error);
        Assert.Equal("EsAw", f!.IceUfrag);
        Assert.Equal("P2uYro0UCOQ4zxjKXaWCBui1", f.IcePwd);
        TrickleIceMedia m = Assert.Single(f.Media);
        Assert.Equal("0", m.Mid);
        Assert.Equal("audio 9 UDP/TLS/RTP/SAVPF 111", m.MediaLine);
        Assert.Equal(2, m.Candidates.Count);
        Assert.StartsWith("1387637174 1 udp", m.Candidates[0], StringComparison.Ordinal);
        Assert.True(m.EndOfCandidates);
    }

    [Fact]
    public void EachMediaSectionKeepsItsMidCandidatesAndEnd()
    {
        const string text = "a=ice-options:trickle ice2\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:a\na=candidate:1 1 udp 1 127.0.0.1 1000 typ host\na=end-of-candidates\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96\na=mid:v\na=candidate:2 1 udp 1 127.0.0.1 1001 typ host\n";
        Assert.True(TrickleIceFragment.TryParse(text, out TrickleIceFragment? f, out string? error), error);
        Assert.Equal("trickle ice2", f!.IceOptions);
        Assert.Equal(2, f.Media.Count);
        Assert.Equal(("a", "1 1 udp 1 127.0.0.1 1000 typ host", true), (f.Media[0].Mid, Assert.Single(f.Media[0].Candidates), f.Media[0].EndOfCandidates));
        Assert.Equal(("v", "2 1 udp 1 127.0.0.1 1001 typ host", false), (f.Media[1].Mid, Assert.Single(f.Media[1].Candidates), f.Media[1].EndOfCandidates));

        // Written back with CRLF, session-level lines first, and read again to the same thing.
        string written = f.ToString();
        Assert.DoesNotContain("\r\r", written, StringComparison.Ordinal);
        Assert.StartsWith("a=ice-options:trickle ice2\r\n", written, StringComparison.Ordinal);
        Assert.True(TrickleIceFragment.TryParse(written, out TrickleIceFragment? again, out _));
        Assert.Equal(f.Media.Select(x => (x.Mid, x.Candidates.Count, x.EndOfCandidates)), again!.Media.Select(x => (x.Mid, x.Candidates.Count, x.EndOfCandidates)));
    }

    [Fact]
    public void SessionLevelEndOfCandidatesIsKept()
    {
        // RFC 8840 §8: end-of-candidates may be session level (before any m=), meaning every section.
        Assert.True(TrickleIceFragment.TryParse("a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\na=end-of-candidates\r\n", out TrickleIceFragment? f, out string? error), error);
        Assert.True(Assert.Single(f!.Media).EndOfCandidates);
        Assert.Empty(f.Media[0].Candidates);
    }

    [Fact]
    public void OversizedBodiesAreRefusedBeforeParsing()
    {
        string huge = string.Concat(Enumerable.Repeat("a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n", (TrickleIceFragment.MaxLength / 40) + 1));
        Assert.True(huge.Length > TrickleIceFragment.MaxLength);
        Assert.False(TrickleIceFragment.TryParse(huge, out TrickleIceFragment? f, out string? error));
        Assert.Null(f);
        Assert.Contains("allowed", error, StringComparison.Ordinal);
    }
}
