namespace RtcStack.NetSim;

/// <summary>A simulated transport address: node and port.</summary>
/// <param name="Node">Node number.</param>
/// <param name="Port">Port on the node.</param>
public readonly record struct SimAddress(int Node, int Port)
{
    /// <inheritdoc/>
    public override string ToString() => $"n{Node}:{Port}";
}
