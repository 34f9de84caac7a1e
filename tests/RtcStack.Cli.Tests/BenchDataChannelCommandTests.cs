using System.Diagnostics;
using System.Text.Json;
using RtcStack.Cli.Commands;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Cli.Tests;

/// <summary>
/// `rtcstack bench datachannel` and `rtcstack bench sctp-messages` (issue 15) for function, not numbers: a small
/// transfer between two processes completes with every byte checked, the small-message loop delivers every message
/// in order, the signalling refuses garbage with a clear error, and bad arguments are refused. Timing is never asserted.
/// </summary>
public sealed class BenchDataChannelCommandTests(ITestOutputHelper output)
{
    /// <summary>Runs `dotnet rtcstack.dll ARGS` (the sender pins and starts a second process: not in the test host), stdin optional.</summary>
    private (int ExitCode, string Out, string Err) RunCli(TimeSpan limit, string? stdin, params string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "rtcstack.dll");
        Assert.True(File.Exists(cli), "rtcstack.dll is not beside the test assembly: " + cli);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(cli);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }

        p.StandardInput.Close();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"rtcstack {string.Join(' ', args)} did not finish within {limit}");
        }

        p.WaitForExit();
        output.WriteLine(stdout.Result + stderr.Result);
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void SmallTransferBetweenTwoProcessesArrivesWhole()
    {
        using var dir = new TempDir();
        string json = dir.File("dc.json");
        (int code, string text, string err) = RunCli(TimeSpan.FromSeconds(90), null,
            "bench", "datachannel", "--mib", "8", "--message-size", "16384", "--cpu", "none", "--timeout", "60", "--json", json);
        Assert.True(code == 0, err);
        Assert.Contains("checksum: match", text, StringComparison.Ordinal);
        using JsonDocument d = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = d.RootElement;
        Assert.True(root.GetProperty("checksumMatch").GetBoolean());
        foreach (string side in new[] { "sender", "receiver" })
        {
            JsonElement s = root.GetProperty(side);
            Assert.Equal(8L * 1024 * 1024, s.GetProperty("bytes").GetInt64());
            Assert.Equal(512, s.GetProperty("messages").GetInt64());
            Assert.True(s.GetProperty("seconds").GetDouble() > 0, side);
            Assert.True(s.GetProperty("cpuSeconds").GetDouble() > 0, side);
        }

        Assert.Equal(root.GetProperty("sender").GetProperty("checksum").GetString(), root.GetProperty("receiver").GetProperty("checksum").GetString());
    }

    [Theory]
    [InlineData("hello\n")]
    [InlineData("offer !!!not-base64!!!\n")]
    [InlineData("")]
    public void ReceiverRefusesBadSignallingWithAClearError(string stdin)
    {
        (int code, _, string err) = RunCli(TimeSpan.FromSeconds(60), stdin, "bench", "datachannel", "--role", "receiver", "--mib", "1", "--cpu", "none");
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", err, StringComparison.Ordinal);
    }

    [Fact]
    public void ChecksumDependsOnEveryByteAndTheOrder()
    {
        byte[] m1 = new byte[100];
        byte[] m2 = new byte[100];
        m2[0] = 1;
        ulong ordered = BenchDataChannelCommand.Mix(BenchDataChannelCommand.Mix(BenchDataChannelCommand.ChecksumSeed, m1), m2);
        ulong swapped = BenchDataChannelCommand.Mix(BenchDataChannelCommand.Mix(BenchDataChannelCommand.ChecksumSeed, m2), m1);
        Assert.NotEqual(ordered, swapped);
        for (int i = 0; i < m1.Length; i++)
        {
            byte[] changed = (byte[])m1.Clone();
            changed[i] ^= 0x80;
            Assert.NotEqual(BenchDataChannelCommand.Mix(0, m1), BenchDataChannelCommand.Mix(0, changed));
        }

        // A message split differently is a different stream of messages.
        Assert.NotEqual(BenchDataChannelCommand.Mix(0, new byte[16]), BenchDataChannelCommand.Mix(BenchDataChannelCommand.Mix(0, new byte[8]), new byte[8]));
    }

    [Fact]
    public void SctpMessagesDeliversEveryMessageInOrder()
    {
        BenchSctpMessagesCommand.Result r = BenchSctpMessagesCommand.Run(20_000, 64, 256 * 1024);
        Assert.Null(r.Error);
        Assert.Equal(20_000, r.Received);
        Assert.True(r.Packets > 20_000 / 15, $"{r.Packets} packets"); // at most 15 messages of 64 bytes fit a 1,228-byte packet

        CliRunner.Result cli = CliRunner.Run("bench", "sctp-messages", "--messages", "5000", "--warmup", "1000");
        output.WriteLine(cli.Out + cli.Err);
        Assert.Equal(0, cli.ExitCode);
        Assert.Matches(@"^rtcstack sctp: 5000 messages of 64 bytes in [0-9.]+ s: [0-9]+ messages/s, cpu [0-9.]+ s \([0-9.]+ % of one core\), [0-9]+ packets", cli.Out);
    }

    [Theory]
    [InlineData("datachannel", "--mib", "0")]
    [InlineData("datachannel", "--message-size", "70000")]
    [InlineData("datachannel", "--cpu", "3")]
    [InlineData("datachannel", "--role", "sender")]
    [InlineData("sctp-messages", "--size", "4")]
    [InlineData("sctp-messages", "--messages", "0")]
    public void BadArgumentsAreRefused(string command, string option, string value)
    {
        CliRunner.Result r = CliRunner.Run("bench", command, option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Err, StringComparison.Ordinal);
    }
}
