namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// One RFC 8888 packet metric block (RFC 8888 §3.1): 16 bits, R (received), ECN (2 bits) and the
/// arrival time offset (ATO, 13 bits, 1/1024 s before the report timestamp).
/// </summary>
/// <param name="Received">R: the packet arrived.</param>
/// <param name="Ecn">ECN marking of the received packet.</param>
/// <param name="ArrivalTimeOffset">ATO in 1/1024 s; <see cref="AtoOverRange"/> and <see cref="AtoUnavailable"/> are special.</param>
public readonly record struct CcfbPacketMetric(bool Received, CcfbEcn Ecn, ushort ArrivalTimeOffset)
{
    /// <summary>RFC 8888 §3.1: ATO reported when the offset exceeds 0x1FFD/1024 s.</summary>
    public const ushort AtoOverRange = 0x1FFE;

    /// <summary>RFC 8888 §3.1: ATO reported when unavailable or the arrival is after the report timestamp.</summary>
    public const ushort AtoUnavailable = 0x1FFF;

    /// <summary>Gets the metric of a packet that did not arrive (all fields zero).</summary>
    public static CcfbPacketMetric Lost => default;

    /// <summary>
    /// Returns the metric of a packet that arrived at <paramref name="arrivalTime"/> for a report
    /// whose timestamp is <paramref name="reportTime"/> (same clock). Applies RFC 8888 §3.1: an
    /// arrival after the report time gives 0x1FFF, an offset beyond 0x1FFD/1024 s gives 0x1FFE;
    /// otherwise the offset is truncated to 1/1024 s.
    /// </summary>
    public static CcfbPacketMetric FromArrival(TimeSpan arrivalTime, TimeSpan reportTime, CcfbEcn ecn = CcfbEcn.NotEct)
    {
        TimeSpan offset = reportTime - arrivalTime;
        ushort ato;
        if (offset < TimeSpan.Zero)
        {
            ato = AtoUnavailable;
        }
        else
        {
            long units = offset.Ticks * 1024 / TimeSpan.TicksPerSecond;
            ato = units > 0x1FFD ? AtoOverRange : (ushort)units;
        }

        return new CcfbPacketMetric(true, ecn, ato);
    }

    /// <summary>Returns the arrival time offset when it is a measurement (not lost, over-range or unavailable).</summary>
    public bool TryGetArrivalOffset(out TimeSpan offset)
    {
        if (!Received || ArrivalTimeOffset >= AtoOverRange)
        {
            offset = default;
            return false;
        }

        offset = TimeSpan.FromTicks(((long)ArrivalTimeOffset * TimeSpan.TicksPerSecond) / 1024);
        return true;
    }

    /// <summary>Decodes the 16-bit wire form.</summary>
    public static CcfbPacketMetric FromWire(ushort value) => new((value & 0x8000) != 0, (CcfbEcn)((value >> 13) & 3), (ushort)(value & 0x1FFF));

    /// <summary>Encodes the 16-bit wire form. <see cref="Lost"/> encodes as 0; the fields are kept as given so a parsed metric re-encodes byte-exactly.</summary>
    public ushort ToWire() => (ushort)((Received ? 0x8000 : 0) | (((int)Ecn & 3) << 13) | (ArrivalTimeOffset & 0x1FFF));
}
