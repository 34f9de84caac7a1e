using RtcStack.Rtp;

namespace RtcStack.Fuzz.Targets;

/// <summary>RTP packet reader (RFC 3550 §5.1) and, when present, its RFC 8285 extension block.</summary>
[FuzzTarget("rtp-packet")]
public sealed class RtpPacketTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        if (!RtpPacket.TryParse(data, out RtpPacket packet))
        {
            return;
        }

        long sum = packet.Version + packet.PayloadType + packet.SequenceNumber + packet.Timestamp + packet.Ssrc;
        for (int i = 0; i < packet.CsrcCount; i++)
        {
            sum += packet.GetCsrc(i);
        }

        sum += packet.ExtensionProfile + packet.ExtensionData.Length + packet.Payload.Length + packet.PaddingLength;
        if (packet.HeaderLength + packet.PaddingLength > data.Length || packet.PayloadOffset != packet.HeaderLength)
        {
            throw new InvalidOperationException("RTP lengths inconsistent");
        }

        if (packet.TryGetHeaderExtensions(out RtpHeaderExtensionReader reader))
        {
            sum += RtpHeaderExtensionTarget.Walk(reader);
        }

        GC.KeepAlive(sum);
    }
}
