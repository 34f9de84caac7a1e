using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Srtp;

namespace RtcStack.WebRtc.Transport;

/// <content>Outgoing media: SRTP/SRTCP protection (RFC 3711 §3.3, §3.4) and wrapping for the selected pair.</content>
public sealed partial class WebRtcTransport
{
    /// <summary>
    /// Protects a plaintext RTP packet with SRTP (RFC 3711 §3.3, RFC 7714) and queues it for the selected pair (with
    /// TURN framing when the pair is relayed) for <see cref="TryPollTransmit"/>. Allocates nothing.
    /// </summary>
    public TransportSendStatus SendRtp(ReadOnlySpan<byte> rtp, TimeSpan now) => Send(rtp, rtcp: false, now);

    /// <summary>Protects a plaintext RTCP (compound) packet with SRTCP (RFC 3711 §3.4) and queues it like <see cref="SendRtp"/>.</summary>
    public TransportSendStatus SendRtcp(ReadOnlySpan<byte> rtcp, TimeSpan now) => Send(rtcp, rtcp: true, now);

    /// <summary>
    /// Sends <paramref name="data"/> (one SCTP packet, RFC 8261 §3) in one DTLS application data record over the selected
    /// pair. The caller sizes it to fit <see cref="MaxApplicationDataSize"/>.
    /// </summary>
    public TransportSendStatus SendApplicationData(ReadOnlySpan<byte> data, TimeSpan now)
    {
        if (_closed || _dtlsFailed)
        {
            return TransportSendStatus.Closed;
        }

        if (_dtls is null || _dtls.State != DtlsState.Connected)
        {
            return TransportSendStatus.NotConnected;
        }

        if (data.Length > MaxApplicationDataSize)
        {
            return TransportSendStatus.TooLarge;
        }

        if (_transmit.Count >= MaxQueuedTransmits)
        {
            return TransportSendStatus.QueueFull;
        }

        _dtls.Send(data);
        DrainDtlsTransmit(now);
        return TransportSendStatus.Sent;
    }

    /// <summary>
    /// Gets the largest application data record payload that fits the DTLS MTU with any cipher suite's overhead (a 13-byte
    /// record header, and at most 16 bytes of IV, 20 of MAC and 16 of padding for CBC suites).
    /// </summary>
    public int MaxApplicationDataSize => _options.DtlsMtu - 80;

    private TransportSendStatus Send(ReadOnlySpan<byte> packet, bool rtcp, TimeSpan now)
    {
        if (_closed || _dtlsFailed)
        {
            return TransportSendStatus.Closed;
        }

        if (_srtp is null)
        {
            return TransportSendStatus.NotConnected;
        }

        int overhead = rtcp ? _srtp.Outbound.RtcpOverhead : _srtp.Outbound.RtpOverhead;
        if (packet.Length + overhead > MaxDatagramSize)
        {
            return TransportSendStatus.TooLarge;
        }

        if (_transmit.Count >= MaxQueuedTransmits)
        {
            return TransportSendStatus.QueueFull;
        }

        packet.CopyTo(_protectBuffer);
        SrtpStatus status = rtcp
            ? _srtp.ProtectRtcp(_protectBuffer, packet.Length, out int length)
            : _srtp.ProtectRtp(_protectBuffer, packet.Length, out length);
        if (status != SrtpStatus.Ok)
        {
            return status switch
            {
                SrtpStatus.KeyLimitReached => TransportSendStatus.KeyLimitReached,
                SrtpStatus.BufferTooSmall => TransportSendStatus.TooLarge,
                _ => TransportSendStatus.Malformed,
            };
        }

        if (!TrySendViaIce(_protectBuffer.AsSpan(0, length), now))
        {
            return TransportSendStatus.NoSelectedPair;
        }

        if (rtcp)
        {
            Counters.SrtcpSent();
        }
        else
        {
            Counters.SrtpSent();
        }

        return TransportSendStatus.Sent;
    }

    /// <summary>Wraps <paramref name="payload"/> for the selected pair and queues it; false when ICE has no usable pair.</summary>
    private bool TrySendViaIce(ReadOnlySpan<byte> payload, TimeSpan now)
    {
        if (_ice is null)
        {
            return false;
        }

        byte[] buffer = _freeBuffers.TryPop(out byte[]? free) ? free : new byte[MaxTransmitSize];
        if (!_ice.TryPrepareSend(payload, buffer, now, out IceTransmit t))
        {
            ReturnBuffer(buffer);
            return false;
        }

        _transmit.Enqueue(new Outgoing(buffer, t.Length, t.Source, t.Destination, t.Transport));
        Counters.Sent(payload.Length);
        return true;
    }

    private void ReturnBuffer(byte[] buffer)
    {
        if (_freeBuffers.Count < MaxFreeBuffers)
        {
            _freeBuffers.Push(buffer);
        }
    }
}
