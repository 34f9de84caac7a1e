using System.Net;
using System.Net.Security;
using Microsoft.Extensions.Logging;
using RtcStack.Stun;

namespace RtcStack.WebRtc.Io;

/// <summary>Configuration of a <see cref="UdpSessionHost"/>.</summary>
public sealed class UdpSessionHostOptions
{
    /// <summary>
    /// Gets or sets the local address sockets bind to (default 127.0.0.1). <see cref="IPAddress.Any"/> or
    /// <see cref="IPAddress.IPv6Any"/> mean every interface, IPv4 and IPv6 alike: each session gets one socket per address
    /// <see cref="HostAddresses.Enumerate"/> finds (all on one port), and a host candidate on each.
    /// </summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Loopback;

    /// <summary>
    /// Gets the addresses to bind when <see cref="BindAddress"/> is a wildcard, to serve on chosen interfaces only (an
    /// interface filter); empty (the default) uses every address <see cref="HostAddresses.Enumerate"/> finds.
    /// </summary>
    public IList<IPAddress> InterfaceAddresses { get; } = new List<IPAddress>();

    /// <summary>
    /// Gets or sets a value indicating whether binding every interface also uses loopback addresses. Off by default
    /// (RFC 8445 §5.1.1.1: loopback MUST NOT be a candidate); loopback is used anyway when no other address exists.
    /// </summary>
    public bool IncludeLoopback { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether every session shares one socket (demultiplexed by the
    /// ICE username fragment of the first STUN request, then by the remote address). False gives each
    /// session its own socket.
    /// </summary>
    public bool SharedSocket { get; set; }

    /// <summary>Gets or sets the port of the shared socket (0 picks one).</summary>
    public int SharedPort { get; set; }

    /// <summary>Gets or sets the first port of the range per-session sockets bind in (0: any free port).</summary>
    public int PortRangeStart { get; set; }

    /// <summary>Gets or sets the last port of the range (inclusive).</summary>
    public int PortRangeEnd { get; set; }

    /// <summary>Gets or sets the socket receive buffer size (SO_RCVBUF); 0 keeps the OS default.</summary>
    public int ReceiveBufferSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets the socket send buffer size (SO_SNDBUF); 0 keeps the OS default.</summary>
    public int SendBufferSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Gets or sets how the certificate of a TURN server reached over TLS (<c>turns:</c>) is checked; null uses the
    /// system's trust store and the server's name (RFC 6125), as a browser would.
    /// </summary>
    public RemoteCertificateValidationCallback? TurnCertificateValidation { get; set; }

    /// <summary>Gets or sets how long opening a TCP or TLS connection to a TURN server may take before its relay is given up.</summary>
    public TimeSpan TurnConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets the share of the host's media rate (over a sliding second) that all its sessions together may
    /// spend on NACK retransmissions (<see cref="UdpSessionHost.RetransmissionBudget"/>); each session is also
    /// capped at its own media rate. 0.1 by default: when many sessions lose packets at once (an overloaded host),
    /// retransmissions add at most a tenth to the load instead of doubling it. Null: no host-wide cap.
    /// </summary>
    public double? RetransmissionBudgetFraction { get; set; } = 0.1;

    /// <summary>
    /// Gets or sets the load from which the host's retransmission budget shrinks, reaching zero at 0.95: past its
    /// limit a host spends nothing on retransmissions, the work that would otherwise keep it saturated after a
    /// burst of losses (seen in a soak: one burst of kernel drops at 80 % of the sustainable count, then the loop
    /// stayed at 99-100 % with retransmissions and dropped more). 0.8 by default.
    /// </summary>
    public double RetransmissionBudgetShrinkFrom { get; set; } = 0.8;

    /// <summary>
    /// Gets or sets the load above which <see cref="UdpSessionHost.TryAdmit"/> refuses new sessions: the share of its
    /// <see cref="EventLoop"/>'s time spent working, or without a loop the process's CPU time over all cores, over
    /// the last second, plus what one more session is expected to add. Null (the default): no load limit; a server
    /// sets one (<c>rtcstack serve</c> uses 0.8, keeping headroom for the handshakes of sessions being set up).
    /// </summary>
    public double? MaxLoad { get; set; }

    /// <summary>Gets or sets the most sessions the host admits (0: no fixed limit, only <see cref="MaxLoad"/>).</summary>
    public int MaxSessions { get; set; }

    /// <summary>Gets or sets the clock (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the logger.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// Gets or sets the <see cref="UdpEventLoop"/> that runs this host: its sockets, datagrams and session timers are
    /// handled on the loop's one thread instead of a receive thread, the runtime's socket engine and a timer thread
    /// (Linux x64). Null (the default): the host runs its own threads. The session clock stays
    /// <see cref="TimeProvider"/>'s.
    /// </summary>
    public UdpEventLoop? EventLoop { get; set; }

    /// <summary>
    /// Gets or sets a filter every received datagram passes before it is routed to a session (fault injection for tests
    /// and interop suites: drop what the network should have lost, such as every tenth RTP packet of one peer). It
    /// returns false to drop the datagram, which then counts in <see cref="UdpSessionHost.DatagramsFiltered"/> and never
    /// reaches a session. Null (the default): nothing is filtered. It runs on the host's receive thread (or its event
    /// loop), so it must be fast and thread-safe, and it sees the datagram only for the duration of the call.
    /// </summary>
    public UdpDatagramFilter? IncomingFilter { get; set; }
}

/// <summary>Decides whether a received datagram goes on to its session (<see cref="UdpSessionHostOptions.IncomingFilter"/>).</summary>
/// <param name="remote">Where it came from.</param>
/// <param name="datagram">The datagram, valid only during the call.</param>
/// <returns>True to deliver it, false to drop it.</returns>
public delegate bool UdpDatagramFilter(TransportAddress remote, ReadOnlySpan<byte> datagram);
