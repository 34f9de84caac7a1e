using System.Diagnostics.Metrics;

namespace RtcStack.Dtls;

/// <summary>
/// Counters under the meter "RtcStack.Dtls" (System.Diagnostics.Metrics): handshakes by outcome,
/// flight retransmissions, and records dropped by reason (RFC 6347 §4.1.2.7 silent discards).
/// </summary>
public static class DtlsMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "RtcStack.Dtls";

    private static readonly Meter s_meter = new(MeterName);

    internal static readonly Counter<long> Handshakes = s_meter.CreateCounter<long>("rtcstack.dtls.handshakes", description: "Handshakes finished, tagged outcome=connected|failed and role");

    internal static readonly Counter<long> Retransmissions = s_meter.CreateCounter<long>("rtcstack.dtls.retransmissions", description: "Flights re-sent (timer or peer retransmission), RFC 6347 §4.2.4");

    internal static readonly Counter<long> DroppedRecords = s_meter.CreateCounter<long>("rtcstack.dtls.records.dropped", description: "Records discarded, tagged reason=malformed|epoch|replay|auth");
}
