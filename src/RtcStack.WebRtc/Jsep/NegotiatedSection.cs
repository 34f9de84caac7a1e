using RtcStack.Sdp;

namespace RtcStack.WebRtc.Jsep;

/// <summary>
/// What one m= section settled on once an offer/answer exchange completed (RFC 8829 §5.8, §5.10): its mid, kind and
/// direction, the codecs each way, the header extension ids (RFC 8285), our SSRCs and what the remote description
/// says about its streams (SSRCs and FID groups, RFC 5576; RIDs and simulcast, RFC 8851/8853; msid, RFC 8830).
/// </summary>
public sealed class NegotiatedSection
{
    /// <summary>Gets the index of the m= section.</summary>
    public required int MLineIndex { get; init; }

    /// <summary>Gets the mid.</summary>
    public required string? Mid { get; init; }

    /// <summary>Gets the media kind.</summary>
    public required MediaKind Kind { get; init; }

    /// <summary>Gets the transceiver, or null for a rejected section of a kind we do not handle.</summary>
    public Transceiver? Transceiver { get; init; }

    /// <summary>Gets a value indicating whether the section is rejected or stopped (port 0 in the offer or the answer, RFC 3264 §6).</summary>
    public required bool Stopped { get; init; }

    /// <summary>Gets the direction seen from our side: we send when we offered or answered sending and the peer receives (RFC 3264 §6.1).</summary>
    public required MediaDirection Direction { get; init; }

    /// <summary>Gets the codecs we may send with, in the receiver's preference order (its payload types and fmtp).</summary>
    public IReadOnlyList<NegotiatedCodec> SendCodecs { get; init; } = [];

    /// <summary>Gets the codecs we receive, with our payload types and fmtp.</summary>
    public IReadOnlyList<NegotiatedCodec> ReceiveCodecs { get; init; } = [];

    /// <summary>Gets the header extensions agreed, with the answer's ids (RFC 8285 §6), used in both directions.</summary>
    public IReadOnlyList<ExtMap> HeaderExtensions { get; init; } = [];

    /// <summary>Gets a value indicating whether reduced-size RTCP was agreed (RFC 5506 §5).</summary>
    public bool RtcpReducedSize { get; init; }

    /// <summary>Gets our SSRC for this section, or null when it carries no RTP.</summary>
    public uint? LocalSsrc { get; init; }

    /// <summary>Gets our RTX SSRC (signalled with "a=ssrc-group:FID", RFC 5576 §4.2 / RFC 4588 §8.3) when RTX was agreed for sending.</summary>
    public uint? LocalRtxSsrc { get; init; }

    /// <summary>Gets the SSRCs the remote description lists (RFC 5576 §4.1).</summary>
    public IReadOnlyList<uint> RemoteSsrcs { get; init; } = [];

    /// <summary>Gets the remote "a=ssrc-group" lines (FID: original and RTX, RFC 5576 §4.2).</summary>
    public IReadOnlyList<SsrcGroup> RemoteSsrcGroups { get; init; } = [];

    /// <summary>Gets the remote CNAME (RFC 5576 §6.1), or null.</summary>
    public string? RemoteCName { get; init; }

    /// <summary>Gets the remote RIDs (RFC 8851 §4).</summary>
    public IReadOnlyList<Rid> RemoteRids { get; init; } = [];

    /// <summary>Gets the remote "a=simulcast" (RFC 8853 §5.1), or null.</summary>
    public Simulcast? RemoteSimulcast { get; init; }

    /// <summary>
    /// Gets the RIDs of the simulcast streams this section receives (RFC 8853 §5.3): those the remote side sends and our
    /// description receives, in the remote side's order; empty without simulcast.
    /// </summary>
    public IReadOnlyList<string> ReceiveRids { get; init; } = [];

    /// <summary>
    /// Gets the RIDs of the simulcast streams this section sends (RFC 8853 §5.3): those of the transceiver's
    /// <see cref="Transceiver.SendEncodings"/> that our description sends and the remote one receives, in our order;
    /// empty without simulcast. <see cref="LocalSsrc"/> and <see cref="LocalRtxSsrc"/> are the first one's.
    /// </summary>
    public IReadOnlyList<string> SendRids { get; init; } = [];

    /// <summary>Gets the remote "a=msid" (RFC 8830 §2), or the legacy "a=ssrc:N msid:" value, or null.</summary>
    public Msid? RemoteMsid { get; init; }

    /// <summary>Gets the remote "a=sctp-port" of a data channel section (RFC 8841 §5), or null.</summary>
    public int? RemoteSctpPort { get; init; }

    /// <summary>Gets the remote "a=max-message-size" of a data channel section (RFC 8841 §6), or null.</summary>
    public long? RemoteMaxMessageSize { get; init; }

    /// <summary>Gets the negotiated id of a header extension, or null.</summary>
    /// <param name="uri">The extension URI.</param>
    /// <returns>The id.</returns>
    public int? GetExtensionId(string uri)
    {
        foreach (ExtMap e in HeaderExtensions)
        {
            if (string.Equals(e.Uri, uri, StringComparison.Ordinal))
            {
                return e.Id;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"#{MLineIndex} mid={Mid ?? "-"} {Kind} {(Stopped ? "stopped" : Direction.ToSdpString())}";
}
