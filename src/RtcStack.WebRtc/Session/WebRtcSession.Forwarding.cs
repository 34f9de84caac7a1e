using RtcStack.Rtp;
using RtcStack.Sdp;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;

namespace RtcStack.WebRtc;

/// <content>
/// Forwarding (an SFU's subscriber side): RTP packets numbered elsewhere, for example by
/// <see cref="Forwarding.SimulcastForwarder"/>, sent on a section's send stream like the session's own media.
/// </content>
public sealed partial class WebRtcSession
{
    /// <summary>
    /// Sends an RTP packet written elsewhere (a forwarder's output, or a publisher's packet taken with
    /// <see cref="WebRtcSessionOptions.ReceiveRtpPackets"/>) on <paramref name="transceiver"/>'s send stream.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Kept from the packet: payload type (it must be one this section sends), marker, timestamp, payload and padding.
    /// Replaced: the SSRC (the section's own, as signalled), the CSRCs and header extensions (the section's: MID,
    /// abs-send-time, transport-wide sequence number, and <paramref name="audioLevel"/> when audio level is negotiated).
    /// The sequence number is moved by an offset fixed at the first packet forwarded on the stream, so the stream
    /// continues from its own numbering and keeps the gaps and order of the caller's: a packet the caller never had is
    /// a gap the peer NACKs, and one that arrives late (repaired upstream) fills it.
    /// </para>
    /// <para>
    /// Then as the session's own media (<see cref="SendVideoFrame(Transceiver, ReadOnlyMemory{byte}, uint, bool, TimeSpan)"/>, <see cref="SendAudio"/>): kept in the send history
    /// so the peer's NACKs are answered from here (RTX when negotiated, RFC 4588), paced and reported to the congestion
    /// controller (video; audio skips the pacer's queue as <see cref="WebRtcSessionOptions.AudioBypassesPacer"/> says),
    /// described in sender reports. The peer's PLI or FIR comes out as <see cref="SessionKeyframeRequestedEvent"/>: the
    /// forwarder's <see cref="Forwarding.SimulcastForwarder.RequestKeyframe"/>. A stream is either forwarded to or
    /// packetised by the session, not both: the two numberings would collide.
    /// </para>
    /// </remarks>
    /// <returns>
    /// False when media cannot be sent yet, the section does not send, or the packet is refused (not RTP, a payload type
    /// the section does not send, or the pacer's queue is full: counted in <see cref="SessionMediaCounters.ForwardedPacketsRefused"/>).
    /// </returns>
    public bool SendRtp(Transceiver transceiver, ReadOnlySpan<byte> rtp, TimeSpan now, int audioLevel = -1, bool voiceActivity = false)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        _now = now;
        if (!CanSendMedia || FindSection(transceiver) is not Section s || s.Send is null || s.SendCodec is null)
        {
            return false;
        }

        bool audio = s.Kind == MediaKind.Audio;
        if (!RtpPacket.TryParse(rtp, out RtpPacket packet) || !s.SendsPayloadType(packet.PayloadType)
            || (!audio && PacingActive && s.CcFeedback && _pacer!.QueuedPackets >= _options.PacerQueueCapacity))
        {
            MediaCounters.ForwardedPacketsRefused++;
            return false;
        }

        if (!ReferenceEquals(s.ForwardedStream, s.Send))
        {
            s.ForwardedStream = s.Send;
            s.ForwardOffset = (ushort)(s.Send.NextSequenceNumber - packet.SequenceNumber);
        }

        ushort sequenceNumber = (ushort)(packet.SequenceNumber + s.ForwardOffset);
        bool sent = SendOrQueue(s, packet.Payload, packet.Timestamp, packet.Marker, now, audioLevel, voiceActivity, packet.PayloadType, audio, sequenceNumber, packet.PaddingLength);
        if (sent && audio)
        {
            s.LastMediaTimestamp = packet.Timestamp;
            s.LastMediaSentAt = now;
        }

        DrainPacer(now);
        return sent;
    }

    /// <content>What a section remembers of forwarding.</content>
    private sealed partial class Section
    {
        /// <summary>Gets or sets the send stream <see cref="ForwardOffset"/> is for (null before the first forwarded packet).</summary>
        public RtpSendStream? ForwardedStream { get; set; }

        /// <summary>Gets or sets what is added to a forwarded packet's sequence number.</summary>
        public ushort ForwardOffset { get; set; }

        /// <summary>Whether <paramref name="payloadType"/> is one of the codecs (or RED, events) negotiated for sending here.</summary>
        public bool SendsPayloadType(byte payloadType)
        {
            IReadOnlyList<NegotiatedCodec> codecs = Negotiated!.SendCodecs;
            for (int i = 0; i < codecs.Count; i++)
            {
                if (codecs[i].PayloadType == payloadType)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
