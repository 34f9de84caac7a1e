using System.Net.Sockets;
using RtcStack.Stun;

namespace RtcStack.WebRtc.Io;

/// <summary>One endpoint (usually a <see cref="WebRtcSession"/>) registered with a <see cref="UdpSessionHost"/>.</summary>
public sealed class UdpSessionHandle
{
    internal UdpSessionHandle(UdpSessionHost host, IDatagramEndpoint endpoint, BoundSocket[] sockets, bool ownsSocket, Action<UdpSessionHandle, TimeSpan>? onActivity)
    {
        Host = host;
        Endpoint = endpoint;
        Sockets = sockets;
        LocalAddress = sockets[0].Local;
        Socket = sockets[0].Socket;
        var addresses = new TransportAddress[sockets.Length];
        for (int i = 0; i < sockets.Length; i++)
        {
            addresses[i] = sockets[i].Local;
        }

        LocalAddresses = addresses;
        OwnsSocket = ownsSocket;
        OnActivity = onActivity;
    }

    /// <summary>Gets the host running the endpoint.</summary>
    public UdpSessionHost Host { get; }

    /// <summary>Gets the endpoint.</summary>
    public IDatagramEndpoint Endpoint { get; }

    /// <summary>Gets the local address of the endpoint's (first) socket (its host candidate).</summary>
    public TransportAddress LocalAddress { get; }

    /// <summary>Gets the addresses of all the endpoint's sockets: one per interface address when the host binds every interface.</summary>
    public IReadOnlyList<TransportAddress> LocalAddresses { get; }

    /// <summary>Gets a value indicating whether the handle was removed from its host.</summary>
    public bool IsRemoved { get; internal set; }

    /// <summary>Gets or sets application state attached to the session.</summary>
    public object? Tag { get; set; }

    internal Socket Socket { get; }

    internal BoundSocket[] Sockets { get; }

    internal bool OwnsSocket { get; }

    internal Action<UdpSessionHandle, TimeSpan>? OnActivity { get; }

    internal Action<UdpSessionHandle, Exception>? OnFault { get; init; }

    internal Lock Gate { get; } = new();

    /// <summary>Gets or sets the earliest deadline queued for the session in the host's timer (MaxValue: none).</summary>
    internal TimeSpan ArmedFor { get; set; } = TimeSpan.MaxValue;

    internal List<TransportAddress> Routes { get; } = [];

    internal Task? ReceiveLoop { get; set; }

    /// <summary>Gets or sets the session's TCP/TLS connections to TURN servers (RFC 8656 §3.1), by host address, server and transport.</summary>
    internal Dictionary<(TransportAddress Local, TransportAddress Server, Stun.Turn.TurnTransport Transport), TurnStreamConnection>? TurnStreams { get; set; }

    /// <summary>Runs <paramref name="action"/> on the endpoint under its lock (see <see cref="UdpSessionHost.Invoke(UdpSessionHandle, Action{TimeSpan})"/>).</summary>
    public void Invoke(Action<TimeSpan> action) => Host.Invoke(this, action);

    /// <summary>Runs <paramref name="func"/> on the endpoint under its lock and returns its result.</summary>
    public T Invoke<T>(Func<TimeSpan, T> func) => Host.Invoke(this, func);
}

/// <summary>A UDP socket and the address it is bound to.</summary>
internal readonly record struct BoundSocket(Socket Socket, TransportAddress Local);
