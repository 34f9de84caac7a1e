namespace RtcStack.WebRtc.Transport;

/// <summary>
/// What a <see cref="WebRtcTransport"/> counted: the W3C <c>RTCTransportStats</c> and <c>RTCIceCandidatePairStats</c>
/// packet and byte counts (application data: DTLS, SRTP and SRTCP, not STUN, as browsers count them), SRTP and SRTCP
/// packets each way, and every dropped datagram by <see cref="TransportDropReason"/>. Updating it allocates nothing.
/// </summary>
public sealed class TransportCounters
{
    private readonly long[] _dropped = new long[(int)TransportDropReason.Closed + 1];

    /// <summary>Gets the application datagrams sent (W3C <c>packetsSent</c>).</summary>
    public long PacketsSent { get; private set; }

    /// <summary>Gets the bytes of application data sent, without TURN framing (W3C <c>bytesSent</c>).</summary>
    public long BytesSent { get; private set; }

    /// <summary>Gets the application datagrams received on a valid pair (W3C <c>packetsReceived</c>).</summary>
    public long PacketsReceived { get; private set; }

    /// <summary>Gets the bytes of application data received, without TURN framing (W3C <c>bytesReceived</c>).</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Gets the SRTP packets protected and queued.</summary>
    public long SrtpPacketsSent { get; private set; }

    /// <summary>Gets the SRTCP packets protected and queued.</summary>
    public long SrtcpPacketsSent { get; private set; }

    /// <summary>Gets the SRTP packets that authenticated and were decrypted.</summary>
    public long SrtpPacketsReceived { get; private set; }

    /// <summary>Gets the SRTCP packets that authenticated and were decrypted.</summary>
    public long SrtcpPacketsReceived { get; private set; }

    /// <summary>Gets the DTLS datagrams received (handed to DTLS or held for it).</summary>
    public long DtlsDatagramsReceived { get; private set; }

    /// <summary>Gets the STUN and TURN messages ICE consumed.</summary>
    public long StunMessagesReceived { get; private set; }

    /// <summary>Gets the datagrams dropped, whatever the reason.</summary>
    public long DroppedTotal { get; private set; }

    /// <summary>Gets how many datagrams were dropped for <paramref name="reason"/>.</summary>
    public long GetDropped(TransportDropReason reason) => (uint)reason < (uint)_dropped.Length ? _dropped[(int)reason] : 0;

    /// <summary>Gets the SRTCP packets among the <see cref="TransportDropReason.AuthenticationFailed"/> drops.</summary>
    public long SrtcpAuthenticationFailures { get; private set; }

    /// <summary>Gets the SRTCP packets among the <see cref="TransportDropReason.Replayed"/> drops.</summary>
    public long SrtcpReplays { get; private set; }

    internal void SrtcpDropped(TransportDropReason reason)
    {
        if (reason == TransportDropReason.AuthenticationFailed)
        {
            SrtcpAuthenticationFailures++;
        }
        else if (reason == TransportDropReason.Replayed)
        {
            SrtcpReplays++;
        }
    }

    internal void Dropped(TransportDropReason reason)
    {
        _dropped[(int)reason]++;
        DroppedTotal++;
    }

    internal void Sent(int bytes)
    {
        PacketsSent++;
        BytesSent += bytes;
    }

    internal void Received(int bytes)
    {
        PacketsReceived++;
        BytesReceived += bytes;
    }

    internal void SrtpSent() => SrtpPacketsSent++;

    internal void SrtcpSent() => SrtcpPacketsSent++;

    internal void SrtpReceived() => SrtpPacketsReceived++;

    internal void SrtcpReceived() => SrtcpPacketsReceived++;

    internal void DtlsReceived() => DtlsDatagramsReceived++;

    internal void StunReceived() => StunMessagesReceived++;
}
