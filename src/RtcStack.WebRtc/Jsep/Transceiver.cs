using RtcStack.Sdp;

namespace RtcStack.WebRtc.Jsep;

/// <summary>
/// One m= section's worth of media seen from the application (RFC 8829 §3.4.1, W3C RTCRtpTransceiver): its kind, the
/// direction it wants, the direction last negotiated, its mid once an offer or answer assigned one, and our SSRCs.
/// Created by <see cref="JsepSession.AddTransceiver"/>, <see cref="JsepSession.AddDataSection"/>, or by a remote offer
/// with a section no transceiver matched.
/// </summary>
public sealed class Transceiver
{
    private MediaDirection _direction;

    internal Transceiver(JsepSession owner, MediaKind kind, MediaDirection direction, uint ssrc, uint rtxSsrc, string trackId)
    {
        Owner = owner;
        Kind = kind;
        _direction = direction;
        Ssrc = ssrc;
        RtxSsrc = rtxSsrc;
        TrackId = trackId;
    }

    /// <summary>Gets the media kind.</summary>
    public MediaKind Kind { get; }

    /// <summary>Gets the mid (RFC 8829 §5.2.1, RFC 5888 §4) once an applied description associated the transceiver with an m= section.</summary>
    public string? Mid { get; internal set; }

    /// <summary>Gets the index of the m= section the transceiver is associated with, or null.</summary>
    public int? MLineIndex { get; internal set; }

    /// <summary>
    /// Gets or sets the direction we want (RFC 8829 §4.2.4); a change is offered in the next offer, or answered within
    /// what the remote offer allows (RFC 3264 §6.1).
    /// </summary>
    public MediaDirection Direction
    {
        get => _direction;
        set
        {
            if (Stopping)
            {
                throw new InvalidOperationException("The transceiver is stopped (RFC 8829 §4.2.8).");
            }

            _direction = value;
        }
    }

    /// <summary>Gets the direction negotiated by the last completed exchange, seen from our side, or null before one (RFC 8829 §4.2.5).</summary>
    public MediaDirection? CurrentDirection { get; internal set; }

    /// <summary>Gets a value indicating whether <see cref="Stop"/> was called or the remote side rejected the section.</summary>
    public bool Stopping { get; internal set; }

    /// <summary>Gets a value indicating whether the section was negotiated away (port 0) and its m-line may be recycled (RFC 8829 §4.2.8).</summary>
    public bool Stopped { get; internal set; }

    /// <summary>Gets our RTP SSRC for this section (RFC 3550 §8, drawn from the options' random source).</summary>
    public uint Ssrc { get; }

    /// <summary>Gets our RTX SSRC (RFC 4588 §8.3), used when an RTX payload type is negotiated.</summary>
    public uint RtxSsrc { get; }

    /// <summary>
    /// Gets the simulcast encodings this transceiver sends (RFC 8853), each with its RID and SSRCs, or an empty list for
    /// one stream on <see cref="Ssrc"/>. The first encoding uses <see cref="Ssrc"/> and <see cref="RtxSsrc"/>.
    /// </summary>
    public IReadOnlyList<SendEncoding> SendEncodings { get; internal set; } = [];

    /// <summary>Gets the track id written in "a=msid" (RFC 8830 §2).</summary>
    public string TrackId { get; }

    /// <summary>Gets the codecs this transceiver offers and accepts, or null for the session's (W3C setCodecPreferences).</summary>
    public IReadOnlyList<CodecCapability>? CodecPreferences { get; private set; }

    internal JsepSession Owner { get; }

    /// <summary>Gets or sets a value indicating whether a remote offer created this transceiver (it goes away if that offer is rolled back).</summary>
    internal bool CreatedByRemoteOffer { get; set; }

    /// <summary>
    /// Stops the transceiver (RFC 8829 §4.2.8): the next offer or answer rejects its m= section with port 0; once that
    /// exchange completes <see cref="Stopped"/> is true and the m-line may be recycled. A transceiver never associated
    /// with an m= section stops at once.
    /// </summary>
    public void Stop()
    {
        if (Stopping)
        {
            return;
        }

        Stopping = true;
        _direction = MediaDirection.Inactive;
        if (MLineIndex is null)
        {
            Stopped = true;
        }
    }

    /// <summary>Sets the codecs this transceiver offers and accepts, in preference order (null: the session's).</summary>
    /// <param name="codecs">The codecs, a subset or other set than <see cref="JsepOptions"/>' list for this kind.</param>
    public void SetCodecPreferences(IReadOnlyList<CodecCapability>? codecs)
    {
        if (Kind == MediaKind.Application && codecs is not null)
        {
            throw new InvalidOperationException("The data channel section has no RTP codecs.");
        }

        CodecPreferences = codecs;
    }

    internal void RestoreDirection(MediaDirection direction) => _direction = direction;

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} mid={Mid ?? "-"} {Direction}{(Stopped ? " stopped" : Stopping ? " stopping" : "")}";
}
