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
        string go = ExternalTool.Require("go", "golang-go");
        if (!File.Exists(Path.Combine(DebianGoCode, "src", "github.com", "pion", "webrtc", "peerconnection.go")))
        {
            throw new InvalidOperationException(
                "Pion WebRTC v3 sources are not installed (Debian package 'golang-github-pion-webrtc.v3-dev'); ./test.sh installs it" +
                (ExternalTool.IsCI ? " [CI=true: outside programs are required]" : ""));
        }

        PionVersion = ProcessRunner.Run("dpkg-query", ["-W", "-f=${Version}", "golang-github-pion-webrtc.v3-dev"]).StdOut.Trim();
        GoVersion = ProcessRunner.Run(go, ["version"]).StdOut.Trim();
        string source = Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "Peers", "pion");
        string package = Path.Combine(_dir, "gopath", "src", "whippeer");
        Directory.CreateDirectory(package);
        foreach (string name in new[] { "main.go", "go.mod" })
        {
            File.Copy(Path.Combine(source, name), Path.Combine(package, name));
        }

        string binary = Path.Combine(_dir, "whippeer");
        var env = new Dictionary<string, string>
        {
            ["GOPATH"] = Path.Combine(_dir, "gopath") + ":" + DebianGoCode,
            ["GO111MODULE"] = "off",
            ["GOPROXY"] = "off",
            ["GOFLAGS"] = "",
            ["GOENV"] = "off",
            ["CGO_ENABLED"] = "0",
            // Shared between runs (content-addressed, safe for concurrent builds): a rebuild then takes about a second.
            ["GOCACHE"] = Path.Combine(Path.GetTempPath(), "rtcstack-interop-gocache"),
        };
        var clock = Stopwatch.StartNew();
        PeerProcess.Result build = await PeerProcess.RunAsync(go, ["build", "-o", binary, "."], TimeSpan.FromMinutes(5), env, package);
        BuildTime = clock.Elapsed;
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"go build of the Pion peer failed ({build.ExitCode}):\n{build.StdOut}\n{build.StdErr}");
        }

        return binary;
    }
}
