using System.Globalization;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Cli.Tests;

/// <summary>
/// `rtcstack bench sessions` at a handful of pairs, for function, not numbers: the pairs are WebRtcSessions (session core
/// v2) doing ICE, DTLS and SRTP over loopback through UdpSessionHost, every packet one side sent is counted as received by
/// the other, and the overload run admits through both hosts and counts what its admitted pairs delivered. Always with
/// --all-cores, since by default the command pins its process (here the test host) to CPU 0. No timing is judged: the
/// "sustained" column (the 20 ms schedule kept, CPU under one core) depends on the machine and is only printed.
/// </summary>
public sealed class BenchSessionsCommandTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryPacketSentBetweenSessionPairsArrives(bool eventLoop)
    {
        var args = new List<string> { "bench", "sessions", "--count", "4", "--seconds", "1", "--no-warm-up-run", "--all-cores" };
        if (eventLoop)
        {
            args.Add("--event-loop");
        }

        CliRunner.Result r = CliRunner.Run([.. args]);
        output.WriteLine(r.Out + r.Err);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("connected", r.Err, StringComparison.Ordinal); // "warning: only N of M sessions connected"
        string[] row = Row(r.Out, "4");
        long sent = long.Parse(row[3], CultureInfo.InvariantCulture);
        long received = long.Parse(row[5], CultureInfo.InvariantCulture);
        Assert.Equal(8, int.Parse(row[1], CultureInfo.InvariantCulture));
        Assert.True(sent > 0, "nothing was sent");
        Assert.Equal(sent, received);
        Assert.Equal("0", row[6]);
    }

    [Fact]
    public void TheControlRunWithNullEndpointsCountsItsDatagrams()
    {
        CliRunner.Result r = CliRunner.Run("bench", "sessions", "--count", "4", "--seconds", "1", "--no-warm-up-run", "--all-cores", "--null-endpoints", "--event-loop");
        output.WriteLine(r.Out + r.Err);
        Assert.Equal(0, r.ExitCode);
        string[] row = Row(r.Out, "4");
        Assert.True(long.Parse(row[3], CultureInfo.InvariantCulture) > 0);
        Assert.Equal(row[3], row[5]);
    }

    [Fact]
    public void TheOverloadRunAdmitsThroughBothHostsAndCountsTheAdmittedPairsDelivery()
    {
        // 10 sustainable: 15 pairs offered in batches of 25 (one batch), each admitted only if both hosts' TryAdmit agrees.
        CliRunner.Result r = CliRunner.Run("bench", "sessions", "--overload", "10", "--seconds", "1", "--no-warm-up-run", "--all-cores");
        output.WriteLine(r.Out + r.Err);
        Assert.Equal(0, r.ExitCode);
        string[] row = Row(r.Out, "15");
        int admitted = int.Parse(row[1], CultureInfo.InvariantCulture);
        int refused = int.Parse(row[2], CultureInfo.InvariantCulture);
        long sent = long.Parse(row[3], CultureInfo.InvariantCulture);
        long received = long.Parse(row[4], CultureInfo.InvariantCulture);
        Assert.Equal(15, admitted + refused);
        Assert.True(admitted > 0, "no pair was admitted");
        Assert.True(sent > 0, "the admitted pairs sent nothing");

        // From the sessions' own RTP statistics (outbound packetsSent against the peer's inbound packetsReceived).
        Assert.Equal(sent, received);
        Assert.Contains("last refusal:", r.Out, StringComparison.Ordinal);
    }

    // The result row whose first column is first (the header row starts with a word).
    private static string[] Row(string text, string first)
    {
        foreach (string line in text.Split('\n'))
        {
            string[] cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (cols.Length > 6 && cols[0] == first)
            {
                return cols;
            }
        }

        Assert.Fail("no result row in:\n" + text);
        return [];
    }
}
