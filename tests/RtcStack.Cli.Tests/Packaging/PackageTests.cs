using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RtcStack.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Cli.Tests.Packaging;

/// <summary>
/// Issue 18, packages: everything under src/ packs; the packages install from the local output into fresh projects
/// and work there (an SRTP round trip against libsrtp's reference packet, SDP parsing, every package README's
/// example compiled and run); the tool installs and runs; and the sans-IO libraries publish into a native AOT
/// program that does the same SRTP and SDP work. These tests run the .NET SDK (minutes on 2 cores), so they carry
/// their own category: ./test.sh runs them, ./test.sh --fast leaves them out.
/// </summary>
[Trait("Category", "Packaging")]
public sealed partial class PackageTests : IClassFixture<LocalPackages>
{
    /// <summary>The libraries, one package each, in src/.</summary>
    private static readonly string[] Libraries =
    [
        "RtcStack.Rtp", "RtcStack.Srtp", "RtcStack.Stun", "RtcStack.Ice", "RtcStack.Dtls", "RtcStack.Sdp", "RtcStack.Opus",
        "RtcStack.Congestion", "RtcStack.NetSim", "RtcStack.Sctp", "RtcStack.Video", "RtcStack.WebRtc",
        "RtcStack.WebRtc.Hosting", "RtcStack.WebRtc.Whip",
    ];

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    private readonly LocalPackages _packages;
    private readonly ITestOutputHelper _output;

    public PackageTests(LocalPackages packages, ITestOutputHelper output)
    {
        _packages = packages;
        _output = output;
        Assert.True(packages.PackResult.ExitCode == 0, "dotnet pack failed:\n" + packages.PackResult.Tail);
        Assert.Matches(VersionPattern(), packages.Version);
        output.WriteLine($"dotnet pack: {LocalPackages.Seconds(packages.PackSeconds)}, version {packages.Version}");
    }

    [Fact]
    public void Every_library_and_the_tool_pack_with_metadata_readme_symbols_and_source_link()
    {
        foreach (string id in Libraries.Append("RtcStack.Cli"))
        {
            string nupkg = Path.Combine(_packages.Feed, $"{id}.{_packages.Version}.nupkg");
            Assert.True(File.Exists(nupkg), $"{id}: no {Path.GetFileName(nupkg)} in the pack output");
            Assert.True(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), $"{id}: no symbol package (.snupkg)");
            using ZipArchive zip = ZipFile.OpenRead(nupkg);
            XDocument nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            XNamespace ns = nuspec.Root!.Name.Namespace;
            XElement metadata = nuspec.Root.Element(ns + "metadata")!;
            string Meta(string name) => metadata.Element(ns + name)?.Value ?? "";

            Assert.Equal(id, Meta("id"));
            Assert.Equal(_packages.Version, Meta("version"));
            Assert.Equal("MIT", Meta("license"));
            Assert.True(Meta("description").Length >= 150, $"{id}: description too short to say what it implements: \"{Meta("description")}\"");
            Assert.DoesNotMatch(@"^RtcStack \w+$", Meta("description"));
            Assert.NotEmpty(Meta("tags"));
            Assert.Equal("README.md", Meta("readme"));
            ZipArchiveEntry readme = zip.GetEntry("README.md") ?? throw new Xunit.Sdk.XunitException($"{id}: README.md not in the package");
            using (var reader = new StreamReader(readme.Open()))
            {
                string text = reader.ReadToEnd();
                Assert.Contains("## Install", text, StringComparison.Ordinal);
                Assert.Contains($"dotnet {(id == "RtcStack.Cli" ? "tool install --global" : "add package")} {id}", text, StringComparison.Ordinal);
            }

            // SourceLink stamps the commit the package was built from.
            XElement? repository = metadata.Element(ns + "repository");
            Assert.True(repository?.Attribute("commit")?.Value is { Length: 40 }, $"{id}: no commit in <repository> (SourceLink)");

            if (id != "RtcStack.Cli")
            {
                string lib = $"lib/net10.0/{id}";
                Assert.NotNull(zip.GetEntry(lib + ".dll"));
                Assert.NotNull(zip.GetEntry(lib + ".xml")); // XML docs
            }
            else
            {
                Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Srtp_and_Sdp_install_into_a_fresh_console_project_and_work()
    {
        string dir = _packages.WriteConsoleProject("consumer", ["RtcStack.Srtp", "RtcStack.Sdp"], "    <NuGetAudit>false</NuGetAudit>");
        File.WriteAllText(Path.Combine(dir, "Program.cs"), ConsumerProgram);
        LocalPackages.RunResult build = LocalPackages.Dotnet(dir, BuildTimeout, "build", "-c", "Release", "-nologo", "-tl:off");
        _output.WriteLine($"restore + build of the consumer: {LocalPackages.Seconds(build.Seconds)}");
        Assert.True(build.ExitCode == 0, "the consumer project did not build:\n" + build.Tail);

        // The packages came from the local folder, at the version just packed, and nothing else was used instead.
        string assets = File.ReadAllText(Path.Combine(dir, "obj", "project.assets.json"));
        Assert.Contains($"\"RtcStack.Srtp/{_packages.Version}\"", assets, StringComparison.Ordinal);
        Assert.Contains($"\"RtcStack.Rtp/{_packages.Version}\"", assets, StringComparison.Ordinal); // Srtp's dependency

        string dll = Path.Combine(dir, "bin", "Release", "net10.0", "consumer.dll");
        LocalPackages.RunResult run = LocalPackages.Dotnet(dir, RunTimeout, [dll, .. VectorArgs(out Dictionary<string, string> v)]);
        AssertConsumerOutput(run, v);
    }

    [Fact]
    public void Every_package_readme_example_compiles_against_the_packages_and_runs()
    {
        string dir = _packages.WriteConsoleProject("readmes", Libraries, "    <NuGetAudit>false</NuGetAudit>");
        var program = new StringBuilder();
        int examples = 0;
        foreach (string id in Libraries)
        {
            string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", id, "README.md"));
            MatchCollection blocks = CSharpBlock().Matches(readme);
            Assert.True(blocks.Count == 1, $"{id}/README.md: expected one ```csharp example, found {blocks.Count}");
            string code = blocks[0].Groups[1].Value;
            int lines = code.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.True(lines <= 25, $"{id}/README.md: the example has {lines} lines");
            string type = "Readme_" + id.Replace('.', '_');
            bool async = code.Contains("await ", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(dir, type + ".cs"), WrapExample(code, type, async));
            // The WHIP client needs a WHIP server: compiled, not run.
            if (id != "RtcStack.WebRtc.Whip")
            {
                program.AppendLine($"Console.WriteLine(\"== {id}\");");
                program.AppendLine(async ? $"await {type}.Run();" : $"{type}.Run();");
            }

            examples++;
        }

        Assert.Equal(Libraries.Length, examples);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), program.ToString());
        LocalPackages.RunResult build = LocalPackages.Dotnet(dir, BuildTimeout, "build", "-c", "Release", "-nologo", "-tl:off");
        _output.WriteLine($"restore + build of the README examples: {LocalPackages.Seconds(build.Seconds)}");
        Assert.True(build.ExitCode == 0, "the README examples did not compile against the packages:\n" + build.Tail);

        LocalPackages.RunResult run = LocalPackages.Dotnet(dir, RunTimeout, Path.Combine(dir, "bin", "Release", "net10.0", "readmes.dll"));
        _output.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, "a README example failed:\n" + run.Tail);
        // What the READMEs say their examples print.
        string o = run.Output;
        Assert.Contains("Ok: 28 bytes, same as sent: True", o, StringComparison.Ordinal);                  // Srtp
        Assert.Contains("PT 111, seq 1, ts 960, SSRC 00001234, marker True, 4 payload bytes", o, StringComparison.Ordinal); // Rtp
        Assert.Contains("audio mid=0 111 opus/48000/2 ufrag=abcd", o, StringComparison.Ordinal);          // Sdp
        Assert.Contains("repaired: line 13:", o, StringComparison.Ordinal);                                 // Sdp: the trailing space
        Assert.Contains("you are 203.0.113.7:40000, fingerprint valid: True", o, StringComparison.Ordinal); // Stun
        Assert.Matches(@"(?m)^Connected, selected pair: \S", o);                                           // Ice
        Assert.Matches(@"(?m)^Connected Dtls1[23] \w+, SRTP profile \w+", o);                             // Dtls
        Assert.Matches(@"(?m)^\w+: \d+ bytes, TOC .+, 960 samples decoded", o);                           // Opus
        Assert.Matches(@"(?m)^target \d+ kbit/s, pacing \d+ kbit/s", o);                                   // Congestion
        Assert.Matches(@"(?m)received \d+ kbit/s, median queue delay", o);                                 // NetSim
        Assert.Contains("stream 1 says \"hello\"", o, StringComparison.Ordinal);                           // Sctp
        Assert.Matches(@"(?m)^FrameCompleted: 5000 bytes from \d+ packets, key frame: True", o);          // Video
        Assert.Equal(2, Regex.Matches(o, @"(?m)^m=audio ").Count);                                         // WebRtc, Hosting
    }

    [Fact]
    public void The_tool_installs_from_the_local_folder_and_prints_help()
    {
        string tools = Path.Combine(_packages.WorkDirectory, "tools");
        LocalPackages.RunResult install = LocalPackages.Dotnet(_packages.WorkDirectory, BuildTimeout,
            "tool", "install", "RtcStack.Cli", "--version", _packages.Version, "--tool-path", tools,
            "--configfile", Path.Combine(_packages.WorkDirectory, "nuget.config"));
        _output.WriteLine($"dotnet tool install: {LocalPackages.Seconds(install.Seconds)}");
        Assert.True(install.ExitCode == 0, "dotnet tool install failed:\n" + install.Tail);

        LocalPackages.RunResult help = LocalPackages.Run(Path.Combine(tools, "rtcstack"), _packages.WorkDirectory, RunTimeout, "--help");
        Assert.True(help.ExitCode == 0, "rtcstack --help failed:\n" + help.Tail);
        Assert.Contains("Usage:", help.Output, StringComparison.Ordinal);
        foreach (string command in new[] { "pcap", "sdp", "serve", "sim", "whip", "whep", "bench" })
        {
            Assert.Matches($@"(?m)^\s+{command}\b", help.Output);
        }
    }

    [Fact]
    public void A_native_aot_program_does_an_srtp_round_trip_and_parses_sdp()
    {
        // The native toolchain the ILCompiler links with (./test.sh installs both).
        ExternalTool.Require("clang", "clang");
        Assert.True(File.Exists("/usr/include/zlib.h") || File.Exists("/usr/include/x86_64-linux-gnu/zlib.h"), "zlib headers missing: apt-get install zlib1g-dev");

        // Warnings as errors: a trim or AOT warning from RtcStack.Srtp, RtcStack.Rtp or RtcStack.Sdp fails the publish.
        string dir = _packages.WriteConsoleProject("aot", ["RtcStack.Srtp", "RtcStack.Sdp"], """
                <PublishAot>true</PublishAot>
                <TrimmerSingleWarn>false</TrimmerSingleWarn>
                <InvariantGlobalization>true</InvariantGlobalization>
                <NuGetAudit>false</NuGetAudit>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), ConsumerProgram);
        string rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        string outDir = Path.Combine(dir, "out");
        LocalPackages.RunResult publish = LocalPackages.Dotnet(dir, TimeSpan.FromMinutes(15), "publish", "-c", "Release", "-r", rid, "-o", outDir, "-nologo", "-tl:off");
        _output.WriteLine($"restore + native AOT publish: {LocalPackages.Seconds(publish.Seconds)}");
        Assert.True(publish.ExitCode == 0, "the native AOT publish failed:\n" + publish.Tail);
        Assert.DoesNotMatch(@"warning IL\d{4}", publish.Output);

        string exe = Path.Combine(outDir, "aot");
        Assert.True(File.Exists(exe), "no native executable in " + outDir);
        Assert.False(File.Exists(Path.Combine(outDir, "aot.dll")), "a managed aot.dll was published: not a native AOT build");
        byte[] head = new byte[4];
        using (FileStream f = File.OpenRead(exe))
        {
            f.ReadExactly(head);
        }

        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, head);
        LocalPackages.RunResult run = LocalPackages.Run(exe, dir, RunTimeout, VectorArgs(out Dictionary<string, string> v));
        AssertConsumerOutput(run, v);
    }

    /// <summary>libsrtp's srtp_validate packet (specs/vectors/libsrtp/reference-packets.txt, record 0) as program arguments.</summary>
    private static string[] VectorArgs(out Dictionary<string, string> vector)
    {
        vector = [];
        foreach (string raw in File.ReadLines(RepoPaths.Vector("libsrtp", "reference-packets.txt")))
        {
            string line = raw.Trim();
            if (line.Length == 0 && vector.Count > 0)
            {
                break;
            }

            int eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (!line.StartsWith('#') && eq > 0)
            {
                vector[line[..eq]] = line[(eq + 3)..];
            }
        }

        return [vector["profile"], vector["master_key"], vector["master_salt"], vector["rtp"]];
    }

    private static void AssertConsumerOutput(LocalPackages.RunResult run, Dictionary<string, string> v)
    {
        Assert.True(run.ExitCode == 0, "the program failed:\n" + run.Tail);
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 6, "the program printed:\n" + run.Output);
        Assert.Equal(
            new[]
            {
                $"protect Ok {v["srtp"]}",
                "tampered AuthenticationFailed",
                $"unprotect Ok {v["rtp"]}",
                "replay Replayed",
                "sdp audio mid=0 rtpmap=111 opus/48000/2 ufrag=F7gI fingerprints=1 setup=actpass direction=SendRecv warnings=0",
            },
            lines[..5]);
        Assert.Matches("^garbage refused [A-Za-z]+$", lines[5]);
        Assert.DoesNotContain("None", lines[5], StringComparison.Ordinal);
    }

    private static string WrapExample(string code, string type, bool async)
    {
        var usings = new StringBuilder();
        var body = new StringBuilder();
        foreach (string line in code.Split('\n'))
        {
            if (body.Length == 0 && UsingDirective().IsMatch(line))
            {
                usings.AppendLine(line);
            }
            else
            {
                body.Append("        ").AppendLine(line);
            }
        }

        return $$"""
            {{usings}}
            internal static class {{type}}
            {
                public static {{(async ? "async Task" : "void")}} Run()
                {
            {{body}}
                }
            }
            """;
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"^using (static )?[A-Za-z_][\w.]*( = [\w.]+)?;\s*$")]
    private static partial Regex UsingDirective();

    /// <summary>
    /// The program the console and the native AOT projects run: an SRTP round trip with the packaged RtcStack.Srtp
    /// on the packet given as arguments (protect, a tampered copy refused, unprotect, a replay refused), then a
    /// browser-like offer parsed with RtcStack.Sdp and a description without its required lines refused.
    /// </summary>
    private const string ConsumerProgram = """
        using RtcStack.Sdp;
        using RtcStack.Srtp;

        if (args.Length != 4 || !SrtpProfileExtensions.TryParse(args[0], out SrtpProfile profile))
        {
            Console.Error.WriteLine("usage: PROFILE MASTER_KEY MASTER_SALT RTP (hex)");
            return 2;
        }

        byte[] key = Convert.FromHexString(args[1]);
        byte[] salt = Convert.FromHexString(args[2]);
        byte[] rtp = Convert.FromHexString(args[3]);
        using var sender = new SrtpContext(profile, key, salt);
        using var receiver = new SrtpContext(profile, key, salt);
        byte[] buffer = new byte[rtp.Length + sender.RtpOverhead];
        rtp.CopyTo(buffer, 0);
        SrtpStatus status = sender.ProtectRtp(buffer, rtp.Length, out int protectedLength);
        byte[] wire = buffer[..protectedLength];
        Console.WriteLine($"protect {status} {Convert.ToHexStringLower(wire)}");

        byte[] tampered = (byte[])wire.Clone();
        tampered[^1] ^= 0x01;
        Console.WriteLine($"tampered {receiver.UnprotectRtp(tampered, tampered.Length, out _)}");

        byte[] copy = (byte[])wire.Clone();
        status = receiver.UnprotectRtp(copy, copy.Length, out int plainLength);
        Console.WriteLine($"unprotect {status} {Convert.ToHexStringLower(copy.AsSpan(0, plainLength))}");
        Console.WriteLine($"replay {receiver.UnprotectRtp(wire, wire.Length, out _)}");

        string offer = string.Join("\r\n",
            "v=0",
            "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "c=IN IP4 0.0.0.0",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:F7gI",
            "a=ice-pwd:x9cml/YzichV2+XlhiMu8g1y",
            "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F",
            "a=setup:actpass",
            "a=mid:0",
            "a=sendrecv",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=fmtp:111 minptime=10;useinbandfec=1",
            "");
        if (SessionDescription.TryParse(offer, out SessionDescription? sdp, out SdpParseError error))
        {
            MediaDescription audio = sdp.MediaDescriptions[0];
            Console.WriteLine($"sdp {audio.Media} mid={audio.Mid} rtpmap={audio.GetRtpMap(111)} ufrag={sdp.GetEffectiveIceUfrag(audio)} " +
                $"fingerprints={sdp.GetEffectiveFingerprints(audio).Count} setup={audio.GetAttribute("setup")} " +
                $"direction={sdp.GetEffectiveDirection(audio)} warnings={sdp.ParseWarnings.Count}");
        }
        else
        {
            Console.WriteLine($"sdp refused {error}");
        }

        Console.WriteLine(SessionDescription.TryParse("this is not SDP\r\n", out _, out SdpParseError bad) ? "garbage accepted" : $"garbage refused {bad.Code}");
        return 0;
        """;
}
