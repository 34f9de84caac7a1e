namespace RtcStack.Congestion;

/// <summary>
/// What a host tells a congestion controller when it creates one: the rate range of the media it carries and free
/// named parameters (a sweep varies them). Rates are wire-level bits per second (RTP payload, RTP/UDP/IP headers and
/// the audio beside the video), the unit <see cref="ICongestionController.TargetBitrateBps"/> is in.
/// </summary>
public sealed record CongestionControllerSettings
{
    /// <summary>Lowest target worth asking for, bps.</summary>
    public long MinBitrateBps { get; init; } = 30_000;

    /// <summary>Highest target the media can use, bps.</summary>
    public long MaxBitrateBps { get; init; } = 10_000_000;

    /// <summary>Rate to start at, bps (RFC 8867 §4.3: media starts at its minimum rate).</summary>
    public long StartBitrateBps { get; init; } = 300_000;

    /// <summary>Named numeric parameters (e.g. "beta"), as given on a sweep's <c>cc.NAME</c> axis.</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; init; } = new Dictionary<string, double>();

    /// <summary>Returns parameter <paramref name="name"/>, or <paramref name="defaultValue"/> when it was not given.</summary>
    public double GetParameter(string name, double defaultValue) =>
        Parameters.TryGetValue(name, out double v) ? v : defaultValue;
}
