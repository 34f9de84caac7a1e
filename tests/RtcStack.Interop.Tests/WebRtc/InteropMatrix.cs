using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using RtcStack.TestSupport;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>One row of specs/interop-matrix.md.</summary>
internal sealed record MatrixRow(
    string Browser,
    string Cell,
    string Signalling,
    string OurDtlsRole,
    string SrtpRequested,
    bool Passed,
    string? DtlsVersion,
    string? DtlsCipher,
    string? SrtpProfile,
    double? BrowserConnectedMs,
    double? ServerConnectedMs,
    string Media,
    string? Failure);

/// <summary>Collects the matrix rows of a run and writes specs/interop-matrix.md when the test class finishes.</summary>
public sealed class InteropMatrix : IDisposable
{
    private readonly ConcurrentQueue<MatrixRow> _rows = new();

    internal void Add(MatrixRow row) => _rows.Enqueue(row);

    public void Dispose()
    {
        if (_rows.IsEmpty)
        {
            return;
        }

        var sb = new StringBuilder();
        sb.AppendLine("# WebRTC interop matrix (generated)");
        sb.AppendLine();
        sb.AppendLine("Written by `tests/RtcStack.Interop.Tests/WebRtc/BrowserCallTests.cs` on every run of the interop suite");
        sb.AppendLine("(`dotnet test tests/RtcStack.Interop.Tests -c Release --filter \"FullyQualifiedName~BrowserCallTests\"`).");
        sb.AppendLine("Each cell is a real call between headless Chromium or Firefox (their default settings: DTLS 1.3 offered");
        sb.AppendLine("with a post-quantum key share, fragmented ClientHello) and an RtcStack `PeerSession` over loopback UDP:");
        sb.AppendLine("the page sends a 440 Hz WebAudio tone, we decode it with libopus and check it with a Goertzel filter,");
        sb.AppendLine("we send 660 Hz back and the page checks it with an `AnalyserNode` FFT. DTLS version, cipher and SRTP");
        sb.AppendLine("profile are what the browser's `getStats()` transport entry reports (`FEFD` = DTLS 1.2). Time to");
        sb.AppendLine("connected is measured by the page from its first signalling step (createOffer, or fetching our offer)");
        sb.AppendLine("to `connectionState == \"connected\"`, and by our session from the offer/answer to its own connected state.");
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores (shared; the machine was loaded)."));
        sb.AppendLine();
        sb.AppendLine("| Browser | Cell | Signalling | Our DTLS role | SRTP asked | Result | DTLS | Cipher | SRTP profile | Connected (page) | Connected (ours) | Media (packets, tones) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (MatrixRow r in _rows.OrderBy(r => r.Browser, StringComparer.Ordinal).ThenBy(r => r.Cell, StringComparer.Ordinal))
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Browser} | {r.Cell} | {r.Signalling} | {r.OurDtlsRole} | {r.SrtpRequested} | {(r.Passed ? "pass" : "FAIL: " + Escape(r.Failure))} | {DtlsName(r.DtlsVersion)} | {r.DtlsCipher ?? "-"} | {r.SrtpProfile ?? "-"} | {Ms(r.BrowserConnectedMs)} | {Ms(r.ServerConnectedMs)} | {r.Media} |"));
        }

        string path = Path.Combine(RepoPaths.Root, "specs", "interop-matrix.md");
        File.WriteAllText(path, sb.ToString());
    }

    private static string Ms(double? v) => v is double d ? string.Create(CultureInfo.InvariantCulture, $"{d:0} ms") : "-";

    private static string DtlsName(string? v) => v switch
    {
        null => "-",
        "FEFD" => "1.2 (FEFD)",
        "FEFC" => "1.3 (FEFC)",
        _ => v,
    };

    private static string Escape(string? s) => (s ?? "").Replace("|", "/", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
