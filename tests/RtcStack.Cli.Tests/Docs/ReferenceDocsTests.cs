using System.Text.RegularExpressions;
using RtcStack.Cli.Tests.Packaging;
using RtcStack.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Cli.Tests.Docs;

/// <summary>
/// Issue 18, reference docs: docfx (the repository's local .NET tool, .config/dotnet-tools.json) builds the API
/// reference of the libraries under src/ and the articles (docs/, the module READMEs, the specs tables) into a static
/// site with warnings as errors, and any warning fails the test. It reads the Release build of the libraries (their
/// DLLs and XML doc files, docs/docfx.json) and runs the SDK for about a minute, so it has its own category: ./test.sh
/// runs it, ./test.sh --fast leaves it out.
/// </summary>
[Trait("Category", "Docs")]
public sealed partial class ReferenceDocsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Fact]
    public void Docfx_builds_the_api_reference_and_articles_with_no_warning()
    {
        Assert.True(LocalPackages.Configuration == "Release",
            "docs/docfx.json reads the libraries' Release build (bin/Release): run the docs tests from a Release build");
        string docs = Path.Combine(RepoPaths.Root, "docs");
        foreach (string dll in DocsConfig.MetadataAssemblies())
        {
            Assert.True(File.Exists(dll), $"{dll} is missing: build the libraries in Release first");
            Assert.True(File.Exists(Path.ChangeExtension(dll, ".xml")), $"{Path.ChangeExtension(dll, ".xml")} is missing (GenerateDocumentationFile)");
        }

        LocalPackages.RunResult restore = LocalPackages.Dotnet(RepoPaths.Root, Timeout, "tool", "restore");
        Assert.True(restore.ExitCode == 0, "dotnet tool restore failed:\n" + restore.Tail);

        // Start from nothing, so a page left over from an earlier build cannot hide a missing one.
        foreach (string generated in new[] { "api", "_site" })
        {
            if (Directory.Exists(Path.Combine(docs, generated)))
            {
                Directory.Delete(Path.Combine(docs, generated), recursive: true);
            }
        }

        LocalPackages.RunResult build = LocalPackages.Dotnet(RepoPaths.Root, Timeout, "docfx", Path.Combine(docs, "docfx.json"), "--warningsAsErrors");
        output.WriteLine($"docfx metadata + build: {build.Seconds:F1} s, exit code {build.ExitCode}");
        string[] warnings = build.Output.Split('\n').Where(l => WarningLine().IsMatch(l)).Select(l => l.Trim()).ToArray();
        Assert.True(build.ExitCode == 0 && warnings.Length == 0,
            $"docfx failed (exit code {build.ExitCode}) or warned ({warnings.Length}):\n{string.Join('\n', warnings)}\n{build.Tail}");
        Match summary = SummaryLine().Match(build.Output);
        Assert.True(summary.Success, "no \"N warning(s)\" summary in docfx's output:\n" + build.Tail);
        Assert.Equal("0", summary.Groups["warnings"].Value);
        Assert.Equal("0", summary.Groups["errors"].Value);

        // The site has what the configuration promises: a page per public type, every article, module guide and spec.
        string site = Path.Combine(docs, "_site");
        Assert.True(File.Exists(Path.Combine(site, "index.html")), "no index.html in docs/_site");
        Assert.True(File.Exists(Path.Combine(site, "api", "RtcStack.WebRtc.Io.UdpSessionHost.html")), "no API page for UdpSessionHost");
        Assert.True(File.Exists(Path.Combine(site, "api", "RtcStack.Rtp.RtpPacket.html")), "no API page for RtpPacket");
        foreach (string article in new[] { "ARCHITECTURE", "hosting", "session-v2", "jitter-buffer", "cc-research" })
        {
            Assert.True(File.Exists(Path.Combine(site, article + ".html")), $"no {article}.html in the site");
        }

        foreach (string spec in Directory.GetFiles(Path.Combine(RepoPaths.Root, "specs"), "*.md"))
        {
            string page = Path.Combine(site, "specs", Path.GetFileNameWithoutExtension(spec) + ".html");
            Assert.True(File.Exists(page), $"no page for specs/{Path.GetFileName(spec)} ({page})");
        }

        foreach (string module in DocsConfig.ModuleReadmes())
        {
            string name = Path.GetFileName(Path.GetDirectoryName(module))!;
            Assert.True(File.Exists(Path.Combine(site, "modules", name, "README.html")), $"no page for src/{name}/README.md");
        }

        string hosting = File.ReadAllText(Path.Combine(site, "hosting.html"));
        Assert.Contains("class=\"lang-mermaid\"", hosting, StringComparison.Ordinal);
    }

    // docfx prints "path(line,col): warning Code: message" or "path: warning: message" for each warning.
    [GeneratedRegex(@":\s*warning\b", RegexOptions.IgnoreCase)]
    private static partial Regex WarningLine();

    [GeneratedRegex(@"(?<warnings>\d+) warning\(s\)\s+(?<errors>\d+) error\(s\)")]
    private static partial Regex SummaryLine();
}
