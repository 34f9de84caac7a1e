namespace RtcStack.NetSim.Endpoints;

/// <summary>Receives and discards datagrams (CBR cross-traffic sink).</summary>
public sealed class SinkEndpoint : ISimEndpoint
{
    /// <summary>Bytes received.</summary>
    public long BytesReceived { get; private set; }

    /// <inheritdoc/>
    public void HandleDatagram(SimPacket packet, TimeSpan now) => BytesReceived += packet.WireSize;

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
    }

    /// <inheritdoc/>
    public bool TryPollTransmit(out SimPacket packet)
    {
        packet = null!;
        return false;
    }

    /// <inheritdoc/>
    public TimeSpan PollTimeout() => TimeSpan.MaxValue;
}
