using RtcStack.Cli.Commands;
using Xunit;

namespace RtcStack.Cli.Tests;

/// <summary><c>rtcstack serve</c>'s options for being reached beyond loopback are checked before anything starts.</summary>
public sealed class ServeNetworkOptionsTests
{
    [Theory]
    [InlineData("--public-ip", "example.com", "--public-ip 'example.com' is not PUBLIC or PUBLIC/PRIVATE")]
    [InlineData("--public-ip", "203.0.113.5/2001:db8::1", "is not PUBLIC or PUBLIC/PRIVATE")]
    [InlineData("--public-ip", "127.0.0.1", "is not PUBLIC or PUBLIC/PRIVATE")]
    [InlineData("--stun", "stuns:stun.example.org", "stuns: is not supported")]
    [InlineData("--stun", "stun:under_score.example", "is not a host name or IP address")]
    [InlineData("--turn", "turn.example.org:3478", "is not USER:PASSWORD@HOST[:PORT]")]
    [InlineData("--turn", "u:p@turns:turn.example.org?transport=udp", "TURN over DTLS, which is not supported")]
    [InlineData("--turn", "u:p@turn:turn.example.org:99999", "is not a port")]
    [InlineData("--turn-ca", "/nonexistent/ca.pem", "--turn-ca '/nonexistent/ca.pem'")]
    public void BadValues_AreUsageErrors(string option, string value, string message)
    {
        CliRunner.Result r = CliRunner.Run("serve", "--port", "0", option, value);
        Assert.Equal(ServeCommand.ExitUsage, r.ExitCode);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoPublicAddressesForOneFamily_WithoutNamingThePrivateOnes_AreRefused()
    {
        CliRunner.Result r = CliRunner.Run("serve", "--port", "0", "--public-ip", "203.0.113.5", "--public-ip", "203.0.113.6");
        Assert.Equal(ServeCommand.ExitUsage, r.ExitCode);
        Assert.Contains("only one public address per family", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void EveryInterface_IsAccepted(string address)
    {
        // Used to be refused ("--address must be a concrete address"); a later bad value shows the address passed.
        CliRunner.Result r = CliRunner.Run("serve", "--address", address, "--port", "0", "--tone-hz", "0");
        Assert.Equal(ServeCommand.ExitUsage, r.ExitCode);
        Assert.DoesNotContain("--address", r.Err, StringComparison.Ordinal);
        Assert.Contains("--tone-hz", r.Err, StringComparison.Ordinal);
    }
}
