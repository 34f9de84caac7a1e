namespace RtcStack.NetSim.Tcp;

/// <summary>TCP congestion avoidance variant of the cross-traffic model.</summary>
public enum TcpCongestionAlgorithm
{
    /// <summary>NewReno (RFC 6582 fast recovery on top of RFC 5681).</summary>
    NewReno,

    /// <summary>CUBIC (RFC 9438: C = 0.4, β = 0.7, with the Reno-friendly region).</summary>
    Cubic,
}
