using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Rtp.Tests;

/// <summary>The header extensions real browser offers negotiate must all have a typed helper.</summary>
public class BrowserExtensionCoverageTests
{
    private static readonly string[] s_covered =
    [
        RtpExtensionUris.SsrcAudioLevel,
        RtpExtensionUris.CsrcAudioLevel,
        RtpExtensionUris.AbsSendTime,
        RtpExtensionUris.TransportWideSequenceNumber,
        RtpExtensionUris.Mid,
        RtpExtensionUris.RtpStreamId,
        RtpExtensionUris.RepairedRtpStreamId,
    ];

    [Theory]
    [InlineData("chromium-156-offer.sdp")]
    [InlineData("firefox-153esr-offer.sdp")]
    public void EveryOfferedExtensionIsCovered(string file)
    {
        string path = Path.Combine(RepoPaths.Root, "tests", "RtcStack.Rtp.Tests", "Fixtures", file);
        int found = 0;
        foreach (string line in File.ReadAllLines(path))
        {
            if (!line.StartsWith("a=extmap:", StringComparison.Ordinal))
            {
                continue;
            }

            string uri = line.Split(' ')[1].Trim();
            Assert.Contains(uri, s_covered);
            found++;
        }

        Assert.True(found >= 4, $"{file}: expected the browser to offer at least 4 extensions, found {found}");
        Assert.Contains(File.ReadAllLines(path), l => l.Trim() == "a=extmap-allow-mixed");
    }
}
