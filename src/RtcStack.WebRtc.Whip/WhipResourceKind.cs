namespace RtcStack.WebRtc.Signalling;

/// <summary>Which HTTP signalling protocol created a session.</summary>
public enum WhipResourceKind
{
    /// <summary>WHIP (RFC 9725): the client sends media to the server (ingest).</summary>
    Whip,

    /// <summary>WHEP (draft-ietf-wish-whep): the client receives media from the server (egress).</summary>
    Whep,
}
