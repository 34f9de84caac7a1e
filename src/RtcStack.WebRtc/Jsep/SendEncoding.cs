using RtcStack.Sdp;

namespace RtcStack.WebRtc.Jsep;

/// <summary>
/// One simulcast encoding a video transceiver sends (RFC 8853; W3C RTCRtpEncodingParameters as given to
/// addTransceiver's sendEncodings): its RID (RFC 8851 §4, written in "a=rid:&lt;rid&gt; send" and carried by every
/// packet in the RID header extension, RFC 8852), an optional maximum bitrate (written as the rid's "max-br"
/// restriction) and the resolution scale the application means to encode it at. The session does not encode: the
/// application sends each encoding's frames with <see cref="WebRtcSession.SendVideoFrame(Transceiver, string, ReadOnlyMemory{byte}, uint, bool, TimeSpan)"/>.
/// </summary>
public sealed class SendEncoding
{
    /// <summary>The longest RID accepted: 16 bytes, what one element of the one-byte header extension form carries (RFC 8285 §4.2).</summary>
    public const int MaxRidLength = 16;

    /// <summary>Initializes a new instance of the <see cref="SendEncoding"/> class.</summary>
    /// <param name="rid">The RID: 1-16 letters, digits, "-" or "_" (RFC 8851 §10 rid-id).</param>
    /// <exception cref="ArgumentException">The RID is not a rid-id of at most <see cref="MaxRidLength"/> characters.</exception>
    public SendEncoding(string rid)
    {
        ArgumentNullException.ThrowIfNull(rid);
        if (!RtcStack.Sdp.Rid.IsRidId(rid) || rid.Length > MaxRidLength)
        {
            throw new ArgumentException($"a RID is 1-{MaxRidLength} letters, digits, '-' or '_' (RFC 8851 §10, RFC 8285 §4.2)", nameof(rid));
        }

        Rid = rid;
    }

    /// <summary>Gets the RID.</summary>
    public string Rid { get; }

    /// <summary>Gets the most this encoding sends, in bits per second, written as "max-br" (RFC 8851 §4), or null.</summary>
    public long? MaxBitrateBps { get; init; }

    /// <summary>Gets the factor the application scales the resolution down by for this encoding (W3C scaleResolutionDownBy), or null; not signalled.</summary>
    public double? ScaleResolutionDownBy { get; init; }

    /// <summary>Gets the SSRC of this encoding's RTP stream (RFC 3550 §8), drawn when the transceiver is added.</summary>
    public uint Ssrc { get; internal set; }

    /// <summary>Gets the SSRC of this encoding's RTX stream (RFC 4588), used when RTX is negotiated.</summary>
    public uint RtxSsrc { get; internal set; }

    /// <summary>The "a=rid:&lt;rid&gt; send" line of an offer (RFC 8851 §4): with "max-br" when a maximum is set.</summary>
    internal RtcStack.Sdp.Rid ToOfferedRid() =>
        new(Rid, RidDirection.Send, MaxBitrateBps is long br && br > 0 ? "max-br=" + br.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);

    /// <summary>A copy of the application's encoding, for one transceiver, with its SSRCs.</summary>
    internal SendEncoding WithSsrcs(uint ssrc, uint rtxSsrc) => new(Rid)
    {
        MaxBitrateBps = MaxBitrateBps,
        ScaleResolutionDownBy = ScaleResolutionDownBy,
        Ssrc = ssrc,
        RtxSsrc = rtxSsrc,
    };
}
