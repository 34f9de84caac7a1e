using System.Text;

namespace RtcStack.Sdp.Tests;

public class FixtureRoundTripTests
{
    public static TheoryData<string> AllFixtures()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.EnumerateFiles(Path.GetDirectoryName(SdpFixtures.PathOf("x"))!, "*.sdp"))
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    [Fact]
    public void EveryRealBrowserFixtureIsPresent()
    {
        foreach (string name in SdpFixtures.Real)
        {
            Assert.True(File.Exists(SdpFixtures.PathOf(name)), name);
            Assert.Contains("\r\n", SdpFixtures.Text(name), StringComparison.Ordinal);
        }

        Assert.True(AllFixtures().Count >= SdpFixtures.Real.Length);
    }

    [Fact]
    public void EveryRealPeerFixtureIsPresent()
    {
        foreach (string name in SdpFixtures.Peers)
        {
            Assert.True(File.Exists(SdpFixtures.PathOf(name)), name);
            Assert.Contains("\r\n", SdpFixtures.Text(name), StringComparison.Ordinal);
        }
    }

    /// <summary>Parse → write gives the file back byte for byte, or for a file with a repaired twin, exactly that twin.</summary>
    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void ParseThenWriteGivesTheSameText(string name)
    {
        SessionDescription sdp = SdpFixtures.Parse(name);
        Assert.Equal(SdpFixtures.Written(name), sdp.ToString());
    }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Utf8ParseThenUtf8WriteGivesTheSameBytes(string name)
    {
        byte[] bytes = SdpFixtures.Bytes(name);
        byte[] expected = Encoding.UTF8.GetBytes(SdpFixtures.Written(name));
        Assert.True(SessionDescription.TryParse(bytes, out SessionDescription? sdp, out SdpParseError error), error.ToString());
        Assert.Equal(expected.Length, sdp.GetUtf8ByteCount());
        byte[] output = new byte[sdp.GetUtf8ByteCount()];
        Assert.True(sdp.TryFormatUtf8(output, out int written));
        Assert.Equal(expected.Length, written);
        Assert.Equal(expected, output);
        Assert.False(sdp.TryFormatUtf8(new byte[written - 1], out _));
    }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void LfOnlyInputParsesToTheSameModelAndWritesCrlf(string name)
    {
        string lf = SdpFixtures.Text(name).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.True(SessionDescription.TryParse(lf, out SessionDescription? sdp, out SdpParseError error), error.ToString());
        Assert.Equal(SdpFixtures.Written(name), sdp.ToString());
    }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void MissingFinalLineEndingIsAccepted(string name)
    {
        string text = SdpFixtures.Text(name);
        Assert.True(SessionDescription.TryParse(text.TrimEnd('\r', '\n'), out SessionDescription? sdp, out SdpParseError error), error.ToString());
        Assert.Equal(SdpFixtures.Written(name), sdp.ToString());
    }

    /// <summary>
    /// A fixture parses without warnings exactly when it has no repaired twin; a repaired twin parses without warnings
    /// in both modes and writes itself back.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void WarningsExactlyWhenRepaired(string name)
    {
        SessionDescription sdp = SdpFixtures.Parse(name);
        string? repaired = SdpFixtures.RepairedPathOf(name);
        if (repaired is null)
        {
            Assert.Empty(sdp.ParseWarnings);
            return;
        }

        Assert.NotEmpty(sdp.ParseWarnings);
        string text = File.ReadAllText(repaired);
        Assert.True(SessionDescription.TryParse(text, SdpParserOptions.Strict, out SessionDescription? strict, out SdpParseError error), error.ToString());
        Assert.Empty(strict.ParseWarnings);
        Assert.Equal(text, strict.ToString());
        SessionDescription tolerant = SessionDescription.Parse(text);
        Assert.Empty(tolerant.ParseWarnings);
        Assert.Equal(text, tolerant.ToString());
    }

    [Fact]
    public void PionOfferNeedsItsTrailingSpacesRemovedAndNothingElse()
    {
        // Pion 3.1.56 writes "a=rtcp-fb:<pt> transport-cc " for each of its four audio codecs (lines 18, 20, 22, 24).
        SessionDescription sdp = SdpFixtures.Parse(SdpFixtures.PionOffer);
        Assert.Equal([18, 20, 22, 24], sdp.ParseWarnings.Select(w => w.LineNumber));
        Assert.All(sdp.ParseWarnings, w => Assert.Equal(SdpParseWarningCode.ExtraWhitespace, w.Code));
        Assert.All(sdp.MediaDescriptions[0].Lines.Where(l => l.ToString().StartsWith("a=rtcp-fb:", StringComparison.Ordinal)), l => Assert.EndsWith("transport-cc", l.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void PeerDescriptionsOtherThanPionsParseStrictly()
    {
        foreach (string name in SdpFixtures.Peers.Where(n => n != SdpFixtures.PionOffer))
        {
            string text = SdpFixtures.Text(name);
            Assert.True(SessionDescription.TryParse(text, SdpParserOptions.Strict, out SessionDescription? strict, out SdpParseError error), name + ": " + error);
            Assert.Empty(strict.ParseWarnings);
            Assert.Equal(text, strict.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void EveryLineIsKeptInOrder(string name)
    {
        string[] lines = SdpFixtures.Written(name).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        SessionDescription sdp = SdpFixtures.Parse(name);
        var model = new List<string> { "v=0", "o=" + sdp.Origin, "s=" + sdp.SessionName };
        foreach (SdpLine line in sdp.Lines)
        {
            model.Add(line.ToString());
        }

        foreach (MediaDescription m in sdp.MediaDescriptions)
        {
            model.Add("m=" + m.MediaLine);
            foreach (SdpLine line in m.Lines)
            {
                model.Add(line.ToString());
            }
        }

        Assert.Equal(lines, model);
    }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void FixturesNameOnlyLoopbackOrUnspecifiedAddresses(string name)
    {
        // The browser captures were made on loopback only (Fixtures/README.md); nothing else may leak in.
        SessionDescription sdp = SdpFixtures.Parse(name);
        var addresses = new List<string> { sdp.Origin.UnicastAddress };
        foreach (SdpSection section in sdp.MediaDescriptions.Cast<SdpSection>().Prepend(sdp))
        {
            if (section.GetConnection() is SdpConnection c)
            {
                addresses.Add(c.Address.Split('/')[0]);
            }
        }

        foreach (MediaDescription m in sdp.MediaDescriptions)
        {
            if (m.Rtcp?.Connection is SdpConnection rtcp)
            {
                addresses.Add(rtcp.Address);
            }

            foreach (string candidate in m.GetCandidates())
            {
                string[] f = candidate.Split(' ');
                addresses.Add(f[4]);
                int raddr = Array.IndexOf(f, "raddr");
                if (raddr > 0)
                {
                    addresses.Add(f[raddr + 1]);
                }
            }
        }

        foreach (string address in addresses)
        {
            Assert.True(System.Net.IPAddress.TryParse(address, out System.Net.IPAddress? ip), address);
            Assert.True(
                System.Net.IPAddress.IsLoopback(ip) || ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any),
                $"{name}: {address}");
        }
    }

    [Fact]
    public void UnknownAttributesRoundTripUntouched()
    {
        string text = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=x-unknown:any thing :: at all\r\na=msid-semantic: WMS\r\n" +
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=x-flag\r\na=rtpmap:111 opus/48000/2\r\na=x-vendor-thing:1 2  3\r\n";
        SessionDescription sdp = SessionDescription.Parse(text);
        Assert.Equal(text, sdp.ToString());
        Assert.Equal("any thing :: at all", sdp.GetAttribute("x-unknown"));
        Assert.Equal(" WMS", sdp.GetAttribute("msid-semantic"));
        Assert.True(sdp.MediaDescriptions[0].HasAttribute("x-flag"));
        Assert.Equal("1 2  3", sdp.MediaDescriptions[0].GetAttribute("x-vendor-thing"));
    }

    [Fact]
    public void NonAsciiTextSurvivesUtf8RoundTrip()
    {
        string text = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=Überraschung ✓\r\ni=会议\r\nt=0 0\r\n";
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        Assert.True(SessionDescription.TryParse(utf8, out SessionDescription? sdp, out SdpParseError error), error.ToString());
        Assert.Equal("Überraschung ✓", sdp.SessionName);
        byte[] output = new byte[sdp.GetUtf8ByteCount()];
        Assert.True(sdp.TryFormatUtf8(output, out int written));
        Assert.Equal(utf8, output.AsSpan(0, written).ToArray());
    }
}
