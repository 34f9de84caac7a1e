namespace RtcStack.Stun.Turn;

/// <summary>Settings of a <see cref="TurnClient"/>; the defaults follow RFC 8656 and RFC 8489.</summary>
public sealed class TurnClientOptions
{
    /// <summary>Gets or sets the lifetime asked for in Allocate/Refresh (RFC 8656 §7.2: default 10 minutes).</summary>
    public TimeSpan RequestedLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the initial retransmission timeout (RFC 8489 §6.2.1: 500 ms recommended).</summary>
    public TimeSpan InitialRto { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets how many times a request is sent before giving up (RFC 8489 §6.2.1: Rc = 7).</summary>
    public int MaxTransmissions { get; set; } = 7;

    /// <summary>Gets or sets the final wait, in multiples of the initial RTO, after the last transmission (RFC 8489: Rm = 16).</summary>
    public int FinalWaitMultiplier { get; set; } = 16;

    /// <summary>Gets or sets a value indicating whether Allocate carries DONT-FRAGMENT (RFC 8656 §7.2).</summary>
    public bool DontFragment { get; set; }

    /// <summary>
    /// Gets or sets the transport to the server (RFC 8656 §3.1). Over <see cref="TurnTransport.Tcp"/> and
    /// <see cref="TurnTransport.Tls"/> requests are sent once and time out after <see cref="ReliableTransactionTimeout"/>
    /// (RFC 8489 §6.2.2), and ChannelData is padded to a multiple of four bytes (RFC 8656 §12.5); the driver carries
    /// the bytes over its connection and reports its loss with <see cref="TurnClient.HandleConnectionClosed"/>.
    /// </summary>
    public TurnTransport Transport { get; set; } = TurnTransport.Udp;

    /// <summary>Gets or sets Ti, how long a request over TCP or TLS waits for its response (RFC 8489 §6.2.2: 39.5 s).</summary>
    public TimeSpan ReliableTransactionTimeout { get; set; } = TimeSpan.FromSeconds(39.5);

    /// <summary>Gets or sets the SOFTWARE attribute value, or null for none.</summary>
    public string? Software { get; set; } = "RtcStack";
}
