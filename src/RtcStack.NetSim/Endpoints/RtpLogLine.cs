using System.Globalization;

namespace RtcStack.NetSim.Endpoints;

/// <summary>
/// One RFC 8868 §3.1 RTP log record: send or receive timestamp (seconds.microseconds), payload type (decimal),
/// SSRC (hexadecimal), sequence number, RTP timestamp, marker bit (0|1) and payload size (bytes).
/// </summary>
public static class RtpLogLine
{
    /// <summary>Formats a record; <paramref name="time"/> is simulated time since the start.</summary>
    public static string Format(TimeSpan time, MediaPacketInfo p)
    {
        long us = time.Ticks / 10;
        return string.Create(CultureInfo.InvariantCulture,
            $"{us / 1_000_000}.{us % 1_000_000:D6} {p.PayloadType} {p.Ssrc:x8} {p.SequenceNumber} {p.Timestamp} {(p.Marker ? 1 : 0)} {p.PayloadSize}");
    }
}
