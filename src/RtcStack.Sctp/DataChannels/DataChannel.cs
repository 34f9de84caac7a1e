namespace RtcStack.Sctp.DataChannels;

/// <summary>States of a data channel (W3C RTCDataChannelState).</summary>
public enum DataChannelState
{
    /// <summary>Waiting for the association (or the DATA_CHANNEL_OPEN to be sent).</summary>
    Connecting,

    /// <summary>Messages flow.</summary>
    Open,

    /// <summary>A stream reset is under way (RFC 8831 §6.7).</summary>
    Closing,

    /// <summary>Both directions of the stream are reset.</summary>
    Closed,
}

/// <summary>How a data channel is set up and sends (RFC 8831 §6.1, W3C RTCDataChannelInit).</summary>
public sealed class DataChannelOptions
{
    /// <summary>Gets the label.</summary>
    public string Label { get; init; } = string.Empty;

    /// <summary>Gets the subprotocol.</summary>
    public string Protocol { get; init; } = string.Empty;

    /// <summary>Gets whether messages are delivered in order.</summary>
    public bool Ordered { get; init; } = true;

    /// <summary>Gets the retransmission limit (partial reliability), or null.</summary>
    public int? MaxRetransmits { get; init; }

    /// <summary>Gets the lifetime limit (partial reliability), or null.</summary>
    public TimeSpan? MaxLifetime { get; init; }

    /// <summary>Gets whether the channel was negotiated out of band (no DCEP; <see cref="Id"/> required).</summary>
    public bool Negotiated { get; init; }

    /// <summary>Gets the stream identifier to use, or null to pick one by the DTLS role (RFC 8832 §6).</summary>
    public ushort? Id { get; init; }

    /// <summary>
    /// Gets the priority carried in DATA_CHANNEL_OPEN (RFC 8832 §5.1): 256 by default (W3C "low", RFC 8831 §6.4 "normal";
    /// 128, 512 and 1024 are "very-low", "medium" and "high"). It is also the stream's priority in the SCTP stream
    /// scheduler: first served with <see cref="SctpStreamSchedulerKind.Priority"/> (RFC 8260 §3.4), the stream's weight
    /// with <see cref="SctpStreamSchedulerKind.WeightedFairQueueing"/> (§3.6); round robin ignores it.
    /// </summary>
    public ushort Priority { get; init; } = 256;
}

/// <summary>One data channel: an SCTP stream pair with its label, protocol and reliability (RFC 8831 §6).</summary>
public sealed class DataChannel
{
    internal DataChannel(ushort id, string label, string protocol, bool ordered, int? maxRetransmits, TimeSpan? maxLifetime, bool negotiated, bool remote)
    {
        Id = id;
        Label = label;
        Protocol = protocol;
        Ordered = ordered;
        MaxRetransmits = maxRetransmits;
        MaxLifetime = maxLifetime;
        Negotiated = negotiated;
        Remote = remote;
    }

    /// <summary>Gets the SCTP stream identifier.</summary>
    public ushort Id { get; }

    /// <summary>Gets the label.</summary>
    public string Label { get; }

    /// <summary>Gets the subprotocol.</summary>
    public string Protocol { get; }

    /// <summary>Gets whether delivery is ordered.</summary>
    public bool Ordered { get; }

    /// <summary>Gets the retransmission limit, or null.</summary>
    public int? MaxRetransmits { get; }

    /// <summary>Gets the lifetime limit, or null.</summary>
    public TimeSpan? MaxLifetime { get; }

    /// <summary>Gets whether it was negotiated out of band.</summary>
    public bool Negotiated { get; }

    /// <summary>Gets whether the peer opened it.</summary>
    public bool Remote { get; }

    /// <summary>Gets the state.</summary>
    public DataChannelState State { get; internal set; }

    /// <summary>Gets the priority carried in DATA_CHANNEL_OPEN.</summary>
    public ushort Priority { get; internal init; }

    /// <summary>Gets or sets the threshold below which <see cref="DataChannelBufferedAmountLowEvent"/> fires (W3C bufferedAmountLowThreshold).</summary>
    public long BufferedAmountLowThreshold { get; set; }

    internal bool AboveThreshold { get; set; }

    internal bool AckReceived { get; set; }

    internal bool OpenSent { get; set; }

    internal bool OutgoingReset { get; set; }

    internal bool IncomingReset { get; set; }

    internal List<byte>? Partial { get; set; }

    internal SctpSendOptions SendOptions(bool forceOrdered) => new(
        Unordered: !Ordered && !forceOrdered,
        MaxRetransmits: MaxRetransmits,
        Lifetime: MaxLifetime);

    /// <summary>The DCEP channel type and reliability parameter for DATA_CHANNEL_OPEN (RFC 8832 §5.1).</summary>
    internal (DataChannelType Type, uint Reliability) DcepType()
    {
        byte unordered = Ordered ? (byte)0 : (byte)0x80;
        if (MaxRetransmits is int r)
        {
            return ((DataChannelType)(0x01 | unordered), (uint)r);
        }

        if (MaxLifetime is TimeSpan l)
        {
            return ((DataChannelType)(0x02 | unordered), (uint)Math.Min(uint.MaxValue, l.TotalMilliseconds));
        }

        return ((DataChannelType)unordered, 0);
    }
}
