namespace RtcStack.WebRtc.Signalling;

/// <summary>Which HTTP signalling protocol created a session.</summary>
public enum WhipResourceKind
{
    /// <summary>WHIP (RFC 9725): the client sends media to the server (ingest).</summary>
    Whip,

    /// <summary>
    /// WHEP (draft-ietf-wish-whep): the client receives media from the server (egress). Our media sections are
    /// send-only (or inactive): <see cref="SessionWhipHandler{TSession}"/> never answers or offers one that receives.
    /// </summary>
    Whep,

    /// <summary>
    /// A two-way call in which the server makes the offer (<see cref="SessionWhipHandler{TSession}.CreateOfferAsync"/>)
    /// and the client answers: neither WHIP nor WHEP, whose clients make the offer and whose media goes one way.
    /// </summary>
    Call,
}
