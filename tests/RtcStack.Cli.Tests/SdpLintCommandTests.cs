using System.Text.Json;
using Xunit;

namespace RtcStack.Cli.Tests;

public class SdpLintCommandTests
{
    private const string Head = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
    private const string Audio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n";

    [Fact]
    public void CleanDescriptionExitsZero()
    {
        using var dir = new TempDir();
        string file = dir.File("clean.sdp");
        File.WriteAllText(file, Head + Audio);
        CliRunner.Result r = CliRunner.Run("sdp", "lint", file);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("accepted, no warnings", r.Out, StringComparison.Ordinal);
        Assert.Contains("strict (conformance) parsing: accepted", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void PionTrailingSpaceIsReportedWithLineTextAndRule()
    {
        using var dir = new TempDir();
        string file = dir.File("pion.sdp");
        File.WriteAllText(file, Head + Audio + "a=rtcp-fb:111 transport-cc \r\n");
        CliRunner.Result r = CliRunner.Run("sdp", "lint", file);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("accepted, 1 warning", r.Out, StringComparison.Ordinal);
        Assert.Contains("line 8: trailing whitespace removed (RFC 8866 §9) [ExtraWhitespace]", r.Out, StringComparison.Ordinal);
        Assert.Contains("\"a=rtcp-fb:111 transport-cc \"", r.Out, StringComparison.Ordinal);
        Assert.Contains("strict (conformance) parsing: refused: line 8: a=rtcp-fb needs", r.Out, StringComparison.Ordinal);
        Assert.Contains("(RFC 4585 §4.2)", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonListsEveryWarningInLineOrder()
    {
        using var dir = new TempDir();
        string file = dir.File("messy.sdp");
        File.WriteAllText(file, (Head + Audio).Replace("\r\n", "\n", StringComparison.Ordinal) + "a=mid:1\n\nx=y\n");
        CliRunner.Result r = CliRunner.Run("sdp", "lint", file, "--json");
        Assert.Equal(1, r.ExitCode);
        using var json = JsonDocument.Parse(r.Out);
        JsonElement root = json.RootElement;
        Assert.True(root.GetProperty("accepted").GetBoolean());
        Assert.False(root.GetProperty("strictAccepted").GetBoolean());
        Assert.Equal("DuplicateAttribute", root.GetProperty("strictError").GetProperty("code").GetString());
        JsonElement[] warnings = [.. root.GetProperty("warnings").EnumerateArray()];
        Assert.Equal(["LfLineEnding", "RepeatedAttribute", "EmptyLine", "UnknownLineType"], warnings.Select(w => w.GetProperty("code").GetString()));
        Assert.Equal([1, 8, 9, 10], warnings.Select(w => w.GetProperty("line").GetInt32()));
        Assert.Equal("RFC 5888 §4", warnings[1].GetProperty("rule").GetString());
        Assert.Equal("a=mid:1", warnings[1].GetProperty("text").GetString());
    }

    [Fact]
    public void RefusedDescriptionExitsThreeNamingLineAndRule()
    {
        using var dir = new TempDir();
        string file = dir.File("bad.sdp");
        File.WriteAllText(file, Head + Audio + "a=fingerprint:sha-256 ZZ:11\r\n");
        CliRunner.Result r = CliRunner.Run("sdp", "lint", file);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("refused: line 8: a=fingerprint needs", r.Out, StringComparison.Ordinal);
        Assert.Contains("(RFC 8122 §5)", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileExitsTwo()
    {
        using var dir = new TempDir();
        CliRunner.Result r = CliRunner.Run("sdp", "lint", dir.File("absent.sdp"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("cannot read", r.Err, StringComparison.Ordinal);
    }
}
