using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>One video echo cell (<see cref="AvEchoTests"/>).</summary>
internal sealed record AvEchoRow(
    string Browser,
    string Codec,
    bool Lossy,
    string? Failure,
    long? FramesDecoded,
    string? Resolution,
    double? FirstFrameMs,
    double? LongestGapMs,
    long? KeyFramesDecoded,
    long? AudioPackets,
    string Repair);

/// <summary>One renegotiation step (<see cref="RenegotiationTests"/>).</summary>
internal sealed record RenegotiationRow(string Browser, string Step, string? Failure, string Detail);

/// <summary>Collects the video echo cells of a run and writes their part of specs/interop-matrix.md when the class finishes.</summary>
public sealed class AvEchoMatrix : IDisposable
{
    private readonly ConcurrentQueue<AvEchoRow> _rows = new();

    internal void Add(AvEchoRow row) => _rows.Enqueue(row);

    public void Dispose()
    {
        if (_rows.IsEmpty)
        {
            return;
        }

        var sb = new StringBuilder();
        sb.AppendLine("## Video: camera and microphone echoed by session core v2 (generated)");
        sb.AppendLine();
        sb.AppendLine("Written by `tests/RtcStack.Interop.Tests/WebRtc/AvEchoTests.cs`");
        sb.AppendLine("(`dotnet test tests/RtcStack.Interop.Tests -c Release --filter \"FullyQualifiedName~AvEchoTests\"`).");
        sb.AppendLine("The browser publishes its fake camera and microphone in one PeerConnection (audio and video in one BUNDLE");
        sb.AppendLine("group) to a `WebRtcSession`, which echoes every audio packet and every assembled video frame back on its own");
        sb.AppendLine("section; the browser's PLIs become key frame requests to its own sender. The page samples `getStats()` every");
        sb.AppendLine("100 ms for 10 s: frames decoded, the resolution received (it must equal what the browser sent), the wait for");
        sb.AppendLine("the first echoed frame and the longest stretch without a newly decoded frame (a freeze, bounded at 1 s). The");
        sb.AppendLine("lossy cell drops 5 % of the browser's video packets in our receive path, everything in a 400 ms outage and the");
        sb.AppendLine("retransmissions until 300 ms after it; its last column is what our receive stream did about it.");
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {AvEchoMatrix.Machine()}."));
        sb.AppendLine();
        sb.AppendLine("| Browser | Codec | Loss injected | Result | Frames decoded | Resolution | First frame | Longest gap | Key frames decoded | Audio packets back | Repair (ours) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (AvEchoRow r in _rows.OrderBy(r => r.Browser, StringComparer.Ordinal).ThenBy(r => r.Lossy).ThenBy(r => r.Codec, StringComparer.Ordinal))
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Browser} | {r.Codec} | {(r.Lossy ? "5 % + 400 ms outage" : "none")} | {(r.Failure is null ? "pass" : "FAIL: " + Escape(r.Failure))} | {N(r.FramesDecoded)} | {r.Resolution ?? "-"} | {Ms(r.FirstFrameMs)} | {Ms(r.LongestGapMs)} | {N(r.KeyFramesDecoded)} | {N(r.AudioPackets)} | {r.Repair} |"));
        }

        InteropMatrixFile.WritePart(InteropMatrixFile.VideoMarker, sb.ToString());
    }

    internal static string Escape(string s)
    {
        string one = s.Replace('|', '/').Replace('\n', ' ').Replace('\r', ' ');
        return one.Length > 160 ? one[..160] + "…" : one;
    }

    /// <summary>"2 cores, load average 1.23" (from /proc/loadavg where there is one): real-time cells depend on it.</summary>
    internal static string Machine()
    {
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
        return string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, load average {load} at the end of the run");
    }

    private static string N(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string Ms(double? v) => v is double d ? d.ToString("0", CultureInfo.InvariantCulture) + " ms" : "-";
}

/// <summary>Collects the renegotiation steps of a run and writes their part of specs/interop-matrix.md when the class finishes.</summary>
public sealed class RenegotiationMatrix : IDisposable
{
    private readonly ConcurrentQueue<RenegotiationRow> _rows = new();

    internal void Add(RenegotiationRow row) => _rows.Enqueue(row);

    public void Dispose()
    {
        if (_rows.IsEmpty)
        {
            return;
        }

        var sb = new StringBuilder();
        sb.AppendLine("## Renegotiation with session core v2 (generated)");
        sb.AppendLine();
        sb.AppendLine("Written by `tests/RtcStack.Interop.Tests/WebRtc/RenegotiationTests.cs`");
        sb.AppendLine("(`dotnet test tests/RtcStack.Interop.Tests -c Release --filter \"FullyQualifiedName~RenegotiationTests\"`).");
        sb.AppendLine("One call between the browser and a `WebRtcSession` that echoes what it receives, changed step by step with new");
        sb.AppendLine("offers: an audio call, a video track added, the video transceiver stopped (its m-line rejected with port 0), video");
        sb.AppendLine("added again (the m-line recycled with a new mid), and an offer from our side that adds an audio track. After each");
        sb.AppendLine("step the page checks that audio packets keep arriving and counts the video frames decoded.");
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {AvEchoMatrix.Machine()}."));
        sb.AppendLine();
        sb.AppendLine("| Browser | Step | Result | What the page saw |");
        sb.AppendLine("|---|---|---|---|");
        foreach (RenegotiationRow r in _rows)
        {
            sb.AppendLine($"| {r.Browser} | {r.Step} | {(r.Failure is null ? "pass" : "FAIL: " + AvEchoMatrix.Escape(r.Failure))} | {AvEchoMatrix.Escape(r.Detail)} |");
        }

        InteropMatrixFile.WritePart(InteropMatrixFile.RenegotiationMarker, sb.ToString());
    }
}
