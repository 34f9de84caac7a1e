using System.Buffers;
using RtcStack.Ice;
using RtcStack.Stun;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// Adapts an <see cref="IceAgent"/> to <see cref="IDatagramEndpoint"/>: ICE alone over a
/// <c>UdpDriver</c> (RtcStack.WebRtc.Hosting). Application data that arrives on a valid pair is handed to
/// <see cref="ApplicationData"/> (on the driver's thread, the span valid only during the call);
/// ICE events go to <see cref="Events"/>. A WebRTC session composes the agent the same way.
/// </summary>
public sealed class IceAgentEndpoint(IceAgent agent) : ITurnStreamEndpoint
{
    private readonly Queue<(byte[] Buffer, DatagramTransmit Transmit)> _data = new();

    /// <summary>Receives application data from the peer: the bytes and the component.</summary>
    public delegate void ApplicationDataHandler(ReadOnlySpan<byte> data, int component);

    /// <summary>Gets the agent.</summary>
    public IceAgent Agent { get; } = agent ?? throw new ArgumentNullException(nameof(agent));

    /// <summary>Gets or sets the application data callback.</summary>
    public ApplicationDataHandler? ApplicationData { get; set; }

    /// <summary>Gets or sets the ICE event callback.</summary>
    public Action<IceEvent>? Events { get; set; }

    /// <summary>
    /// Queues <paramref name="payload"/> for the selected pair of <paramref name="component"/>
    /// (call it inside the driver's <c>Invoke</c>). False when ICE has no selected pair or consent was lost.
    /// </summary>
    public bool Send(ReadOnlySpan<byte> payload, TimeSpan now, int component = 1)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(payload.Length + RtcStack.Stun.Turn.TurnClient.MaxWrapOverhead);
        if (!Agent.TryPrepareSend(payload, buffer, now, out IceTransmit t, component))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }

        _data.Enqueue((buffer, new DatagramTransmit(t.Source, t.Destination, t.Length, t.Transport)));
        return true;
    }

    /// <inheritdoc/>
    public void HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        if (Agent.HandleDatagram(local, remote, datagram, now, out ReadOnlySpan<byte> data, out int component) == IceDatagramKind.ApplicationData)
        {
            ApplicationData?.Invoke(data, component);
        }

        DrainEvents();
    }

    /// <inheritdoc/>
    public void HandleTurnStreamMessage(TransportAddress local, TransportAddress server, Stun.Turn.TurnTransport transport, ReadOnlySpan<byte> message, TimeSpan now)
    {
        if (Agent.HandleDatagram(local, server, message, now, transport, out ReadOnlySpan<byte> data, out int component) == IceDatagramKind.ApplicationData)
        {
            ApplicationData?.Invoke(data, component);
        }

        DrainEvents();
    }

    /// <inheritdoc/>
    public void HandleTurnStreamClosed(TransportAddress local, TransportAddress server, Stun.Turn.TurnTransport transport, string reason, TimeSpan now)
    {
        Agent.HandleTurnConnectionClosed(local, server, transport, reason, now);
        DrainEvents();
    }

    /// <inheritdoc/>
    public string? GetTurnServerName(TransportAddress server, Stun.Turn.TurnTransport transport) => ServerNames?.Invoke(server, transport);

    /// <summary>Gets or sets the TLS server name of a TURN server (see <see cref="ITurnStreamEndpoint.GetTurnServerName"/>); null: its address.</summary>
    public Func<TransportAddress, Stun.Turn.TurnTransport, string?>? ServerNames { get; set; }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
        Agent.HandleTimeout(now);
        DrainEvents();
    }

    /// <inheritdoc/>
    public TimeSpan? PollTimeout() => Agent.PollTimeout();

    /// <inheritdoc/>
    public bool TryPollTransmit(Span<byte> buffer, out DatagramTransmit transmit)
    {
        DrainEvents();
        if (_data.TryDequeue(out (byte[] Buffer, DatagramTransmit Transmit) d))
        {
            d.Buffer.AsSpan(0, d.Transmit.Length).CopyTo(buffer);
            ArrayPool<byte>.Shared.Return(d.Buffer);
            transmit = d.Transmit;
            return true;
        }

        if (Agent.TryPollTransmit(buffer, out IceTransmit t))
        {
            transmit = new DatagramTransmit(t.Source, t.Destination, t.Length, t.Transport);
            return true;
        }

        transmit = default;
        return false;
    }

    private void DrainEvents()
    {
        while (Agent.TryPollEvent(out IceEvent? e))
        {
            Events?.Invoke(e!);
        }
    }
}
