using System.Text;

namespace RtcStack.Sdp.Tests;

/// <summary>
/// The default (tolerant) parser: what real stacks write and browsers accept is repaired with a warning naming
/// the line and the rule; what would make a session wrong is still refused.
/// </summary>
public class TolerantParsingTests
{
    private const string Head = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
    private const string Audio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";

    /// <summary>Input, the warning expected, its line, and the text written back after the repair.</summary>
    public static TheoryData<string, SdpParseWarningCode, int, string> Repairs() => new()
    {
        // Pion v3.1.56 ends its transport-cc feedback line in a space.
        { Head + Audio + "a=rtcp-fb:111 transport-cc \r\n", SdpParseWarningCode.ExtraWhitespace, 6, Head + Audio + "a=rtcp-fb:111 transport-cc\r\n" },
        { "v=0\r\no=-  1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", SdpParseWarningCode.ExtraWhitespace, 2, Head },
        { "v=0 \r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", SdpParseWarningCode.ExtraWhitespace, 1, Head },
        { Head + "a=group:BUNDLE  0\r\n", SdpParseWarningCode.ExtraWhitespace, 5, Head + "a=group:BUNDLE 0\r\n" },
        { Head + "m=audio 9 UDP/TLS/RTP/SAVPF 111 \r\n", SdpParseWarningCode.ExtraWhitespace, 5, Head + Audio },
        { Head + "m=audio\t9 UDP/TLS/RTP/SAVPF 111\r\n", SdpParseWarningCode.ExtraWhitespace, 5, Head + Audio },
        { Head + Audio + "a=rtcp-mux \r\n", SdpParseWarningCode.ExtraWhitespace, 6, Head + Audio + "a=rtcp-mux\r\n" },
        { Head + Audio + "a=ice-options:trickle  renomination\r\n", SdpParseWarningCode.ExtraWhitespace, 6, Head + Audio + "a=ice-options:trickle renomination\r\n" },
        { Head + Audio + "a=fmtp:111 minptime=10;useinbandfec=1 \r\n", SdpParseWarningCode.ExtraWhitespace, 6, Head + Audio + "a=fmtp:111 minptime=10;useinbandfec=1\r\n" },
        // An rtcp-fb type we do not know is legal (RFC 4585 §4.2 rtcp-fb-id, see UnknownRtcpFeedbackTypesAreLegal...);
        // around it, the same repairs as for a known one.
        { Head + Audio + "a=rtcp-fb:111 x-unknown-fb \r\n", SdpParseWarningCode.ExtraWhitespace, 6, Head + Audio + "a=rtcp-fb:111 x-unknown-fb\r\n" },
        // RFC 8839 §5.1 separates every candidate field, extensions too, by one SP (extension-att-value is *VCHAR).
        { Head + Audio + "a=candidate:1 1 udp 2130706431 192.0.2.1 9 typ host network-id 1 \r\n", SdpParseWarningCode.ExtraWhitespace, 6, Head + Audio + "a=candidate:1 1 udp 2130706431 192.0.2.1 9 typ host network-id 1\r\n" },
        { Head + Audio + "a=candidate:1 1 udp 2130706431 192.0.2.1 9 typ host  network-id\t1\r\n", SdpParseWarningCode.ExtraWhitespace, 6, Head + Audio + "a=candidate:1 1 udp 2130706431 192.0.2.1 9 typ host network-id 1\r\n" },
        { Head.Replace("\r\n", "\n", StringComparison.Ordinal), SdpParseWarningCode.LfLineEnding, 1, Head },
        { Head + "\r\na=x\r\n", SdpParseWarningCode.EmptyLine, 5, Head + "a=x\r\n" },
        { Head + "\r\n\r\na=x\r\n", SdpParseWarningCode.EmptyLine, 5, Head + "a=x\r\n" },
        { Head + "x=unknown\r\na=x\r\n", SdpParseWarningCode.UnknownLineType, 5, Head + "a=x\r\n" },
        { Head + Audio + "y=1\r\n", SdpParseWarningCode.UnknownLineType, 6, Head + Audio },
        { Head + "a=x\r\nc=IN IP4 0.0.0.0\r\n", SdpParseWarningCode.LineOutOfOrder, 6, "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=x\r\n" },
        { Head + Audio + "a=x\r\nc=IN IP4 0.0.0.0\r\n", SdpParseWarningCode.LineOutOfOrder, 7, Head + Audio + "c=IN IP4 0.0.0.0\r\na=x\r\n" },
        { Head + Audio + "t=0 0\r\n", SdpParseWarningCode.LineOutOfOrder, 6, Head + Audio },
        { "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\ns=-\r\nt=0 0\r\n", SdpParseWarningCode.LineOutOfOrder, 4, Head },
        { "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nr=1 2 3\r\nt=0 0\r\n", SdpParseWarningCode.LineOutOfOrder, 4, Head },
        { Head + Audio + "i=a\r\ni=b\r\n", SdpParseWarningCode.DuplicateLine, 7, Head + Audio + "i=a\r\n" },
        { "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nc=IN IP4 1.1.1.1\r\n", SdpParseWarningCode.DuplicateLine, 6, "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n" },
        { "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=\r\nt=0 0\r\n", SdpParseWarningCode.EmptySessionName, 3, Head },
        { Head + Audio + "a=rtcp-fb:abc nack\r\n", SdpParseWarningCode.MalformedAttributeDropped, 6, Head + Audio },
        { Head + Audio + "a=rtcp-fb:111 x@unknown\r\n", SdpParseWarningCode.MalformedAttributeDropped, 6, Head + Audio },
        { Head + Audio + "a=extmap:x urn:a\r\n", SdpParseWarningCode.MalformedAttributeDropped, 6, Head + Audio },
        { Head + Audio + "a=ssrc:4294967296 cname:x\r\n", SdpParseWarningCode.MalformedAttributeDropped, 6, Head + Audio },
        { Head + Audio + "a=ssrc-group:FID 1 x\r\n", SdpParseWarningCode.MalformedAttributeDropped, 6, Head + Audio },
        { Head + Audio + "a=msid:a b c\r\n", SdpParseWarningCode.MalformedAttributeDropped, 6, Head + Audio },
        { Head + Audio + "a=candidate:\r\n", SdpParseWarningCode.MalformedAttributeDropped, 6, Head + Audio },
        { Head + Audio + "a=rtcp:port\r\n", SdpParseWarningCode.MalformedAttributeDropped, 6, Head + Audio },
        { Head + Audio + "a=rid:h sideways\r\n", SdpParseWarningCode.MalformedAttributeDropped, 6, Head + Audio },
        { Head + Audio + "a=simulcast:send\r\n", SdpParseWarningCode.MalformedAttributeDropped, 6, Head + Audio },
        { Head + "a=mid:0\r\n", SdpParseWarningCode.AttributeAtWrongLevel, 5, Head + "a=mid:0\r\n" },
        { Head + Audio + "a=group:BUNDLE 0\r\n", SdpParseWarningCode.AttributeAtWrongLevel, 6, Head + Audio + "a=group:BUNDLE 0\r\n" },
        { Head + Audio + "a=mid:0\r\na=mid:1\r\n", SdpParseWarningCode.RepeatedAttribute, 7, Head + Audio + "a=mid:0\r\n" },
        { Head + Audio + "a=sendrecv\r\na=recvonly\r\n", SdpParseWarningCode.RepeatedAttribute, 7, Head + Audio + "a=sendrecv\r\n" },
        { Head + Audio + "a=rtpmap:111 opus/48000/2\r\na=rtpmap:111 PCMU/8000\r\n", SdpParseWarningCode.RepeatedAttribute, 7, Head + Audio + "a=rtpmap:111 opus/48000/2\r\n" },
    };

    /// <summary>What would make a session wrong is refused even when tolerant: input, error, line.</summary>
    public static TheoryData<string, SdpParseErrorCode, int> Refusals() => new()
    {
        { "o=- 1 2 IN IP4 0.0.0.0\r\n", SdpParseErrorCode.MissingVersion, 1 },
        { "v=1\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", SdpParseErrorCode.UnsupportedVersion, 1 },
        { "v=0\r\no=- abc 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", SdpParseErrorCode.InvalidField, 2 },
        { "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\n" + Audio, SdpParseErrorCode.MissingTiming, 4 },
        { Head + "A=foo\r\n", SdpParseErrorCode.MalformedLine, 5 },
        { Head + "a=x\0y\r\n", SdpParseErrorCode.InvalidCharacter, 5 },
        { Head + "m=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n", SdpParseErrorCode.InvalidField, 5 },
        { Head + Audio + "a=rtpmap:128 opus/48000/2\r\n", SdpParseErrorCode.InvalidAttributeValue, 6 },
        { Head + Audio + "a=fmtp:111\r\n", SdpParseErrorCode.InvalidAttributeValue, 6 },
        { Head + Audio + "a=fingerprint:sha-256 ZZ:11\r\n", SdpParseErrorCode.InvalidAttributeValue, 6 },
        { Head + Audio + "a=setup:bogus\r\n", SdpParseErrorCode.InvalidAttributeValue, 6 },
        { Head + Audio + "a=ice-ufrag:has space\r\n", SdpParseErrorCode.InvalidAttributeValue, 6 },
        { Head + Audio + "a=ice-pwd:\r\n", SdpParseErrorCode.InvalidAttributeValue, 6 },
        { Head + Audio + "a=mid:a b\r\n", SdpParseErrorCode.InvalidAttributeValue, 6 },
        { Head + "a=group:BUNDLE 0 !@#$%^&*()\u00e9\r\n", SdpParseErrorCode.InvalidAttributeValue, 5 },
    };

    [Theory]
    [MemberData(nameof(Repairs))]
    public void TolerantParsingRepairsAndWarns(string text, SdpParseWarningCode code, int line, string written)
    {
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? sdp, out SdpParseError error), error.ToString());
        SdpParseWarning warning = Assert.Single(sdp.ParseWarnings);
        Assert.Equal(code, warning.Code);
        Assert.Equal(line, warning.LineNumber);
        Assert.StartsWith("RFC ", warning.Rule, StringComparison.Ordinal);
        Assert.Contains("§", warning.Rule, StringComparison.Ordinal);
        Assert.Contains($"line {line}:", warning.ToString(), StringComparison.Ordinal);
        Assert.Equal(written, sdp.ToString());

        // What is written is clean: parsed again it needs no repair (a misplaced attribute is kept, so it warns again).
        SessionDescription again = SessionDescription.Parse(sdp.ToString());
        Assert.All(again.ParseWarnings, w => Assert.Equal(SdpParseWarningCode.AttributeAtWrongLevel, w.Code));
        Assert.Equal(written, again.ToString());

        // The same input through the UTF-8 entry point.
        Assert.True(SessionDescription.TryParse(Encoding.UTF8.GetBytes(text), out SessionDescription? fromUtf8, out _));
        Assert.Equal(sdp.ParseWarnings, fromUtf8.ParseWarnings);
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public void TolerantParsingStillRefusesWhatWouldMakeTheSessionWrong(string text, SdpParseErrorCode code, int line)
    {
        Assert.False(SessionDescription.TryParse(text, out SessionDescription? sdp, out SdpParseError error));
        Assert.Null(sdp);
        Assert.Equal(code, error.Code);
        Assert.Equal(line, error.LineNumber);
        Assert.Contains("(RFC ", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// RFC 4585 §4.2: <c>rtcp-fb-val = ... / rtcp-fb-id rtcp-fb-param</c>, <c>rtcp-fb-id = 1*(alpha-numeric / "-" / "_")</c>,
    /// <c>rtcp-fb-param = SP "app" [SP byte-string] / SP token [SP byte-string] / empty</c>: a feedback type nobody
    /// registered (libwebrtc's goog-lntf, a vendor's x-...) and an unknown parameter of a known type are legal. Both
    /// modes accept them without a warning and keep them verbatim; what the session does not know it leaves out of its
    /// answer (JSEP negotiates only the feedback both sides name).
    /// </summary>
    [Theory]
    [InlineData("111 x-unknown-fb", "111", "x-unknown-fb", null)]
    [InlineData("* goog-lntf", "*", "goog-lntf", null)]
    [InlineData("96 x_vendor_fb", "96", "x_vendor_fb", null)]
    [InlineData("96 x-vendor app 0a0b0c", "96", "x-vendor", "app 0a0b0c")]
    [InlineData("96 nack x-new-kind", "96", "nack", "x-new-kind")]
    [InlineData("96 ccm tmmbr smaxpr=120", "96", "ccm", "tmmbr smaxpr=120")]
    public void UnknownRtcpFeedbackTypesAreLegalAndKeptInBothModesWithoutAWarning(string value, string pt, string type, string? parameter)
    {
        string text = Head + Audio + "a=rtcp-fb:" + value + "\r\n";
        foreach (SdpParserOptions options in new[] { SdpParserOptions.Default, SdpParserOptions.Strict })
        {
            Assert.True(SessionDescription.TryParse(text, options, out SessionDescription? sdp, out SdpParseError error), error.ToString());
            Assert.Empty(sdp.ParseWarnings);
            Assert.Equal(text, sdp.ToString());
            RtcpFeedback fb = Assert.Single(sdp.MediaDescriptions[0].GetRtcpFeedback());
            Assert.Equal(new RtcpFeedback(pt, type, parameter), fb);
        }
    }

    /// <summary>
    /// RFC 8839 §5.1: <c>*(SP cand-extension)</c>, <c>cand-extension = extension-att-name SP extension-att-value</c>
    /// (token, *VCHAR), and "an implementation MUST ignore any name/value pairs it doesn't understand": extra and
    /// unknown extensions are legal. Both modes accept them without a warning and keep the line verbatim; the ICE
    /// library reads generation and ufrag and keeps every other pair, in order, and writes the candidate back unchanged.
    /// </summary>
    [Theory]
    [InlineData("1 1 udp 2122260223 192.0.2.1 54321 typ host generation 0 ufrag EsAw network-id 1 network-cost 10", "network-id=1,network-cost=10")]
    [InlineData("842163049 1 udp 1677729535 203.0.113.7 61000 typ srflx raddr 192.0.2.1 rport 54321 generation 0 network-cost 999", "network-cost=999")]
    [InlineData("4 1 udp 2130706431 192.0.2.1 9 typ host x-vendor-ext some-value another 42", "x-vendor-ext=some-value,another=42")]
    [InlineData("5 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active x-foo bar", "x-foo=bar")]
    [InlineData("6 1 udp 2130706431 192.0.2.1 9 typ host", "")]
    public void CandidateExtensionsAreLegalAndKeptInBothModesWithoutAWarning(string value, string unknownPairs)
    {
        string text = Head + Audio + "a=candidate:" + value + "\r\n";
        foreach (SdpParserOptions options in new[] { SdpParserOptions.Default, SdpParserOptions.Strict })
        {
            Assert.True(SessionDescription.TryParse(text, options, out SessionDescription? sdp, out SdpParseError error), error.ToString());
            Assert.Empty(sdp.ParseWarnings);
            Assert.Equal(text, sdp.ToString());
            Assert.Equal(value, Assert.Single(sdp.MediaDescriptions[0].GetCandidates()));
        }

        Assert.True(RtcStack.Ice.IceCandidate.TryParse("candidate:" + value, out RtcStack.Ice.IceCandidate? candidate), value);
        Assert.Equal(unknownPairs, string.Join(',', candidate!.Extensions.Select(p => p.Key + "=" + p.Value)));
        Assert.Equal("candidate:" + value, candidate.ToString());
    }

    /// <summary>
    /// What RFC 8839 §5.1 does not allow in a candidate: whitespace other than one SP between fields is repaired with
    /// a warning when tolerant (rows of <see cref="Repairs"/>) and refused when strict; an extension name without a
    /// value passes the SDP library (the candidate grammar is ICE's), the ICE parser refuses it, and the session then
    /// ignores that one candidate (RFC 8839 §5.1 has a candidate that cannot be used ignored, not the description).
    /// </summary>
    [Fact]
    public void CandidatesOutsideTheGrammarAreRepairedRefusedOrLeftToIce()
    {
        const string Spaced = "a=candidate:1 1 udp 2130706431 192.0.2.1 9 typ host  network-id 1\r\n";
        Assert.False(SessionDescription.TryParse(Head + Audio + Spaced, SdpParserOptions.Strict, out _, out SdpParseError strict));
        Assert.Equal(SdpParseErrorCode.InvalidAttributeValue, strict.Code);
        Assert.Equal(6, strict.LineNumber);
        Assert.Contains("RFC 8839 §5.1", strict.Message, StringComparison.Ordinal);

        const string Dangling = "1 1 udp 2130706431 192.0.2.1 9 typ host network-id";
        SessionDescription sdp = SessionDescription.Parse(Head + Audio + "a=candidate:" + Dangling + "\r\n");
        Assert.Empty(sdp.ParseWarnings);
        Assert.Equal(Dangling, Assert.Single(sdp.MediaDescriptions[0].GetCandidates()));
        Assert.False(RtcStack.Ice.IceCandidate.TryParse("candidate:" + Dangling, out _));
    }

    [Fact]
    public void WarningsComeInLineOrderWithOneLfWarningForTheWholeInput()
    {
        string text = "v=0\no=- 1 2 IN IP4 0.0.0.0 \ns=-\nt=0 0\n\nm=audio 9 UDP/TLS/RTP/SAVPF 111\na=rtcp-fb:111 transport-cc \nx=1\n";
        SessionDescription sdp = SessionDescription.Parse(text);
        Assert.Equal(
            [SdpParseWarningCode.LfLineEnding, SdpParseWarningCode.ExtraWhitespace, SdpParseWarningCode.EmptyLine, SdpParseWarningCode.ExtraWhitespace, SdpParseWarningCode.UnknownLineType],
            sdp.ParseWarnings.Select(w => w.Code));
        Assert.Equal([1, 2, 5, 7, 8], sdp.ParseWarnings.Select(w => w.LineNumber));
        Assert.Contains("7 lines end in LF alone", sdp.ParseWarnings[0].Message, StringComparison.Ordinal);
        Assert.Equal(Head + Audio + "a=rtcp-fb:111 transport-cc\r\n", sdp.ToString());
    }

    [Fact]
    public void StrictModeRefusesWhatTolerantModeRepairs()
    {
        foreach ((string text, SdpParseWarningCode code, _, _) in Enumerate(Repairs()))
        {
            bool strictOk = SessionDescription.TryParse(text, SdpParserOptions.Strict, out SessionDescription? strict, out SdpParseError error);
            if (code == SdpParseWarningCode.LfLineEnding)
            {
                // RFC 8866 §5: parsers "SHOULD be tolerant and also accept records terminated with a single newline".
                Assert.True(strictOk, error.ToString());
                Assert.Equal(SdpParseWarningCode.LfLineEnding, Assert.Single(strict!.ParseWarnings).Code);
                continue;
            }

            if (text.Contains("a=fmtp:", StringComparison.Ordinal))
            {
                // fmtp parameters are free text (RFC 8866 §6.15), so a trailing space is not a grammar error; the
                // tolerant parse trims it so that "useinbandfec=1 " reads as 1.
                Assert.True(strictOk, error.ToString());
                continue;
            }

            Assert.False(strictOk, $"strict accepted: {text}");
            Assert.NotEqual(SdpParseErrorCode.None, error.Code);
        }
    }

    [Fact]
    public void RealBrowserDescriptionsParseWithoutWarningsInBothModes()
    {
        foreach (string name in SdpFixtures.Real)
        {
            string text = SdpFixtures.Text(name);
            Assert.True(SessionDescription.TryParse(text, SdpParserOptions.Strict, out SessionDescription? strict, out SdpParseError error), name + ": " + error);
            Assert.Empty(strict.ParseWarnings);
            SessionDescription tolerant = SessionDescription.Parse(text);
            Assert.Empty(tolerant.ParseWarnings);
            Assert.Equal(text, tolerant.ToString());
        }
    }

    [Fact]
    public void OutOfOrderLinesTakeLinearWork()
    {
        // 20,000 b= lines after 20,000 attributes in one media section: each is out of order and moved, in one pass.
        var sb = new StringBuilder(Head + Audio);
        for (int i = 0; i < 20_000; i++)
        {
            sb.Append("a=x-").Append(i).Append("\r\n");
        }

        for (int i = 0; i < 20_000; i++)
        {
            sb.Append("b=AS:").Append(i).Append("\r\n");
        }

        SessionDescription sdp = SessionDescription.Parse(sb.ToString());
        Assert.Equal(20_000, sdp.ParseWarnings.Count);
        Assert.Equal('b', sdp.MediaDescriptions[0].Lines[0].Type);
        Assert.Equal('a', sdp.MediaDescriptions[0].Lines[20_000].Type);
    }

    private static IEnumerable<(string, SdpParseWarningCode, int, string)> Enumerate(TheoryData<string, SdpParseWarningCode, int, string> data)
    {
        foreach (object[] row in data)
        {
            yield return ((string)row[0], (SdpParseWarningCode)row[1], (int)row[2], (string)row[3]);
        }
    }
}
