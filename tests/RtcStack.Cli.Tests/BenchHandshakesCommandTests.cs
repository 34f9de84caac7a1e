using System.Globalization;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Cli.Tests;

/// <summary>
/// `rtcstack bench handshakes` for function, not numbers: every handshake connects in each version and group, the
/// ranges are printed with a positive CPU time per side, the JIT setting is named, and bad arguments are refused.
/// </summary>
public sealed class BenchHandshakesCommandTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("1.3", "x25519mlkem768")]
    [InlineData("1.3", "x25519")]
    [InlineData("1.3", "p256")]
    [InlineData("1.2", "x25519")]
    public void EveryHandshakeConnectsAndEachRangeIsReported(string version, string group)
    {
        CliRunner.Result r = CliRunner.Run("bench", "handshakes", "--count", "12", "--version", version, "--group", group, "--every");
        output.WriteLine(r.Out + r.Err);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Err);
        Assert.StartsWith("JIT: ", r.Out, StringComparison.Ordinal);
        string[] lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(12, lines.Count(l => l.Contains("(ClientHello", StringComparison.Ordinal)));
        foreach (string range in new[] { "1", "2-10", "11-12" })
        {
            string[] row = lines.Single(l => l.StartsWith(range + " ", StringComparison.Ordinal) && !l.Contains("(ClientHello", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(row[1..], v => Assert.True(double.Parse(v, CultureInfo.InvariantCulture) > 0, $"range {range}: {string.Join(' ', row)}"));
        }

        Assert.DoesNotContain(lines, l => l.StartsWith("51-", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--version", "1.1")]
    [InlineData("--group", "x448")]
    public void BadArgumentsAreRefused(string option, string value)
    {
        CliRunner.Result r = CliRunner.Run("bench", "handshakes", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error:", r.Err, StringComparison.Ordinal);
    }
}
