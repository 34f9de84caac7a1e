using System.Diagnostics;
using RtcStack.TestSupport;

namespace RtcStack.Interop.Tests.Peers;

/// <summary>
/// Builds our Pion WHIP client (Peers/pion/main.go) once per test class, offline: Debian's Go and Pion sources
/// (/usr/share/gocode) in GOPATH mode, no module proxy, cgo off, the build cache under the temp directory.
/// </summary>
public sealed class PionPeerBuild : IDisposable
{
    /// <summary>Where Debian's golang-*-dev packages put their sources.</summary>
    public const string DebianGoCode = "/usr/share/gocode";

    private readonly string _dir = Directory.CreateTempSubdirectory("rtcstack-pion-").FullName;
    private readonly Lazy<Task<string>> _binary;

    public PionPeerBuild() => _binary = new(BuildAsync);

    /// <summary>Gets how long the build took (the first call to <see cref="GetBinaryAsync"/> builds).</summary>
    public TimeSpan BuildTime { get; private set; }

    /// <summary>Gets the Debian version of golang-github-pion-webrtc.v3-dev, e.g. 3.1.56-2.</summary>
    public string PionVersion { get; private set; } = "";

    /// <summary>Gets the Go toolchain's version line.</summary>
    public string GoVersion { get; private set; } = "";

    /// <summary>Builds the program once and returns its path.</summary>
    public Task<string> GetBinaryAsync() => _binary.Value;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> BuildAsync()
    {
        var clock = Stopwatch.StartNew();
        (string binary, string pion, string go) = await BuildGoProgramAsync("pion", "whippeer", _dir);
        BuildTime = clock.Elapsed;
        PionVersion = pion;
        GoVersion = go;
        return binary;
    }

    /// <summary>
    /// Builds the Go program in <c>tests/RtcStack.Interop.Tests/Peers/<paramref name="folder"/></c> (main.go, go.mod) into
    /// <paramref name="dir"/>, offline, and returns its path with the Pion and Go versions.
    /// </summary>
    internal static async Task<(string Binary, string PionVersion, string GoVersion)> BuildGoProgramAsync(string folder, string name, string dir)
    {
        string go = ExternalTool.Require("go", "golang-go");
        if (!File.Exists(Path.Combine(DebianGoCode, "src", "github.com", "pion", "webrtc", "peerconnection.go")))
        {
            throw new InvalidOperationException(
                "Pion WebRTC v3 sources are not installed (Debian package 'golang-github-pion-webrtc.v3-dev'); ./test.sh installs it" +
                (ExternalTool.IsCI ? " [CI=true: outside programs are required]" : ""));
        }

        string pionVersion = ProcessRunner.Run("dpkg-query", ["-W", "-f=${Version}", "golang-github-pion-webrtc.v3-dev"]).StdOut.Trim();
        string goVersion = ProcessRunner.Run(go, ["version"]).StdOut.Trim();
        string source = Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "Peers", folder);
        string package = Path.Combine(dir, "gopath", "src", name);
        Directory.CreateDirectory(package);
        foreach (string file in new[] { "main.go", "go.mod" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(package, file));
        }

        string binary = Path.Combine(dir, name);
        var env = new Dictionary<string, string>
        {
            ["GOPATH"] = Path.Combine(dir, "gopath") + ":" + DebianGoCode,
            ["GO111MODULE"] = "off",
            ["GOPROXY"] = "off",
            ["GOFLAGS"] = "",
            ["GOENV"] = "off",
            ["CGO_ENABLED"] = "0",
            // Shared between runs (content-addressed, safe for concurrent builds): a rebuild then takes about a second.
            ["GOCACHE"] = Path.Combine(Path.GetTempPath(), "rtcstack-interop-gocache"),
        };
        PeerProcess.Result build = await PeerProcess.RunAsync(go, ["build", "-o", binary, "."], TimeSpan.FromMinutes(5), env, package);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"go build of {folder}/main.go failed ({build.ExitCode}):\n{build.StdOut}\n{build.StdErr}");
        }

        return (binary, pionVersion, goVersion);
    }
}
