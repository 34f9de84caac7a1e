using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using RtcStack.Interop.Tests.WebRtc;

namespace RtcStack.Interop.Tests.Peers;

/// <summary>One row of the non-browser peers' table in specs/interop-matrix.md.</summary>
internal sealed record PeerMatrixRow(
    string Peer,
    string ServeMode,
    bool Passed,
    string? OurDtlsRole,
    string? DtlsCipher,
    string? SrtpProfile,
    double? PeerConnectedMs,
    double? ServerConnectedMs,
    string Media,
    string? Failure);

/// <summary>Collects the peer rows of a run and writes them into specs/interop-matrix.md when the test class finishes.</summary>
public sealed class PeerMatrix : IDisposable
{
    private readonly ConcurrentQueue<PeerMatrixRow> _rows = new();

    internal void Add(PeerMatrixRow row) => _rows.Enqueue(row);

    public void Dispose()
    {
        if (_rows.IsEmpty)
        {
            return;
        }

        var sb = new StringBuilder();
        sb.AppendLine("## Non-browser peers (generated)");
        sb.AppendLine();
        sb.AppendLine("Written by `tests/RtcStack.Interop.Tests/Peers/PeerCallTests.cs`");
        sb.AppendLine("(`dotnet test tests/RtcStack.Interop.Tests -c Release --filter \"FullyQualifiedName~PeerCallTests\"`).");
        sb.AppendLine("Each cell is a WHIP publish to `rtcstack serve` (a separate process) over loopback UDP by one of our own");
        sb.AppendLine("client programs built on another WebRTC stack: Pion v3 (Go, `Peers/pion/main.go`, built in the test");
        sb.AppendLine("from Debian's sources) and GStreamer's `webrtcbin` (`Peers/gstreamer/whip_peer.py`, Python through gi).");
        sb.AppendLine("The peer sends a 440 Hz tone (Pion: encoded by the test with libopus; GStreamer: `audiotestsrc` →");
        sb.AppendLine("`opusenc`); serve echoes it (`--mode echo`) or sends its own 660 Hz tone (`--mode tone`). Both");
        sb.AppendLine("directions are checked with the browser cells' Goertzel test: what serve recorded (`--record`) and what");
        sb.AppendLine("the peer received. DTLS role, cipher and SRTP profile are serve's (from `/status`); connected times are");
        sb.AppendLine("the peer's from its WHIP POST and serve's from the offer. Each cell starts a fresh serve process, so both");
        sb.AppendLine("include its first call's JIT compilation (a second call to a warm serve connected Pion in 60-210 ms).");
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores (shared; the machine was loaded)."));
        sb.AppendLine();
        sb.AppendLine("| Peer | serve mode | Result | Our DTLS role | Cipher | SRTP profile | Connected (peer) | Connected (ours) | Media (packets, tones) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (PeerMatrixRow r in _rows.OrderBy(r => r.Peer, StringComparer.Ordinal).ThenBy(r => r.ServeMode, StringComparer.Ordinal))
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Peer} | {r.ServeMode} | {(r.Passed ? "pass" : "FAIL: " + Escape(r.Failure))} | {r.OurDtlsRole ?? "-"} | {r.DtlsCipher ?? "-"} | {r.SrtpProfile ?? "-"} | {Ms(r.PeerConnectedMs)} | {Ms(r.ServerConnectedMs)} | {r.Media} |"));
        }

        InteropMatrixFile.WritePeers(sb.ToString());
    }

    private static string Ms(double? v) => v is double d ? string.Create(CultureInfo.InvariantCulture, $"{d:0} ms") : "-";

    private static string Escape(string? s) => (s ?? "").Replace("|", "/", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
