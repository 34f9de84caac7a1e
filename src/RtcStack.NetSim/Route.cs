using RtcStack.NetSim.Links;

namespace RtcStack.NetSim;

/// <summary>The ordered links a datagram crosses from one node to another.</summary>
public sealed class Route
{
    /// <summary>Creates a route.</summary>
    public Route(IReadOnlyList<Link> links)
    {
        Links = links;
    }

    /// <summary>Links in order; empty means direct delivery.</summary>
    public IReadOnlyList<Link> Links { get; }
}
