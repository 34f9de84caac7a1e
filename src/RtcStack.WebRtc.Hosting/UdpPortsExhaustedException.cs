namespace RtcStack.WebRtc.Io;

/// <summary>
/// Every UDP port of <see cref="UdpSessionHostOptions.PortRangeStart"/>-<see cref="UdpSessionHostOptions.PortRangeEnd"/> is
/// taken: no session can be added until one is removed. A WHIP endpoint answers 503 with Retry-After (RFC 9725 §4.5).
/// </summary>
public sealed class UdpPortsExhaustedException : IOException
{
    /// <summary>Creates the exception for the range <paramref name="first"/>-<paramref name="last"/>.</summary>
    public UdpPortsExhaustedException(int first, int last)
        : base($"no free UDP port in {first}-{last}")
    {
        First = first;
        Last = last;
    }

    /// <summary>Creates the exception with a message.</summary>
    public UdpPortsExhaustedException()
        : base("no free UDP port in the range")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UdpPortsExhaustedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public UdpPortsExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the first port of the range.</summary>
    public int First { get; }

    /// <summary>Gets the last port of the range (inclusive).</summary>
    public int Last { get; }
}
