using System.Globalization;
using Xunit;

namespace RtcStack.Cli.Tests;

/// <summary><c>sim jitter</c>: a call's audio over a Mahimahi trace through the jitter buffers, with CSV and plot.</summary>
[Collection("Sim")]
public class SimJitterTests
{
    /// <summary>12 Mbit/s (one opportunity per ms) with the link dead from 3.0 s to 3.5 s: a 500 ms stall.</summary>
    private static string StallTrace()
    {
        var lines = new List<string>();
        for (int ms = 1; ms <= 10_000; ms++)
        {
            if (ms is < 3000 or >= 3500)
            {
                lines.Add(ms.ToString(CultureInfo.InvariantCulture));
            }
        }

        return string.Join('\n', lines) + "\n";
    }

    [Fact]
    public void PlaysTheCallsAudioThroughBothBuffersAndWritesCsvAndPlot()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("stall.down"), StallTrace());
        CliRunner.Result r = CliRunner.Run("sim", "jitter", dir.File("stall.down"), "--seconds", "8", "--out", dir.Path);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("| adaptive |", r.Out);
        Assert.Contains("| fixed 40 ms |", r.Out);

        string[] csv = File.ReadAllLines(dir.File("jitter-stall.csv"));
        Assert.Equal("packet,sent_ms,arrival_ms,jitter_ms", csv[0]);
        Assert.Equal(400 + 1, csv.Length);
        double[] jitter = csv.Skip(1).Select(l => l.Split(',')[3]).Where(j => j.Length > 0).Select(j => double.Parse(j, CultureInfo.InvariantCulture)).ToArray();
        // The stall delays the packets sent during it by up to ~500 ms; on the open link the audio waits for nothing.
        Assert.InRange(jitter.Max(), 400, 600);
        Assert.Equal(0, jitter.Min());
        Assert.True(new FileInfo(dir.File("jitter-stall.png")).Length > 10_000);
    }

    [Fact]
    public void MalformedTraceIsAClearError()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bad.down"), "5\n3\n");
        CliRunner.Result r = CliRunner.Run("sim", "jitter", dir.File("bad.down"), "--out", dir.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("non-decreasing", r.Err);
        CliRunner.Result missing = CliRunner.Run("sim", "jitter", dir.File("none.down"), "--out", dir.Path);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("cannot read", missing.Err);
    }
}
