using System.Globalization;
using RtcStack.NetSim.Scenarios;
using Xunit;

namespace RtcStack.NetSim.Tests;

/// <summary>
/// The NetSim media sender splits each video frame into RTP packets of at most <c>MaxPayload</c> (1200 B) bytes,
/// in equal shares (they differ by at most one byte), checked on the RFC 8868 §3.1 per-packet log of a 5.1 run.
/// </summary>
public class PacketizationTests
{
    [Fact]
    public void FramesSplitIntoEqualPacketsNoneAboveMaxPayload()
    {
        var log = new StringWriter(CultureInfo.InvariantCulture);
        ScenarioDefinition def = Rfc8867Presets.Case51() with { DurationSeconds = 30 };
        ScenarioRunner.Run(def, "gcc", 1, new ScenarioRunOptions { RtpLog = log });

        // "S time pt ssrc seq ts marker size": a frame is the run of one SSRC's packets up to its marker bit.
        var open = new Dictionary<string, List<int>>();
        var frames = new List<List<int>>();
        int packets = 0;
        foreach (string line in log.ToString().Split('\n'))
        {
            string[] f = line.TrimEnd('\r').Split(' ');
            if (f.Length != 8 || f[0] != "S")
            {
                continue;
            }

            int size = int.Parse(f[7], CultureInfo.InvariantCulture);
            Assert.True(size <= 1200, $"packet of {size} B: {line}");
            if (!open.TryGetValue(f[3], out List<int>? sizes))
            {
                open[f[3]] = sizes = [];
            }

            sizes.Add(size);
            packets++;
            if (f[6] == "1")
            {
                frames.Add(sizes);
                open[f[3]] = [];
            }
        }

        Assert.True(packets > 1000, $"only {packets} packets logged");
        int multi = 0;
        foreach (List<int> sizes in frames)
        {
            if (sizes.Count > 2)
            {
                multi++;
                Assert.True(sizes.Max() - sizes.Min() <= 1, $"unequal split: {string.Join(",", sizes)}");
            }
        }

        Assert.True(multi > 100, $"only {multi} frames of three or more packets");
    }
}
