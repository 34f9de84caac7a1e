namespace RtcStack.NetSim;

/// <summary>
/// A sans-IO endpoint attached to the simulator: the same four calls every RtcStack protocol object exposes
/// (docs/ARCHITECTURE.md), with <see cref="SimPacket"/> as the datagram. A WebRTC session plugs in through an adapter
/// that copies <see cref="SimPacket.Payload"/> into <c>HandleDatagram</c> and wraps what <c>TryPollTransmit</c> returns.
/// After every input the simulator drains <see cref="TryPollTransmit"/> and schedules <see cref="PollTimeout"/>.
/// </summary>
public interface ISimEndpoint
{
    /// <summary>A datagram arrived.</summary>
    void HandleDatagram(SimPacket packet, TimeSpan now);

    /// <summary>The time asked for by <see cref="PollTimeout"/> has come.</summary>
    void HandleTimeout(TimeSpan now);

    /// <summary>Takes the next datagram to send; <see cref="SimPacket.Destination"/> and <see cref="SimPacket.WireSize"/> must be set.</summary>
    bool TryPollTransmit(out SimPacket packet);

    /// <summary>Next instant the endpoint wants <see cref="HandleTimeout"/>; <see cref="TimeSpan.MaxValue"/> for none.</summary>
    TimeSpan PollTimeout();
}
