namespace RtcStack.Srtp;

/// <summary>The outcome of a protect or unprotect call. Only <see cref="Ok"/> changes any state.</summary>
public enum SrtpStatus
{
    /// <summary>The packet was transformed; the stream state advanced.</summary>
    Ok = 0,

    /// <summary>The authentication tag did not verify (RFC 3711 §3.3 step 5, RFC 7714 §10.2).</summary>
    AuthenticationFailed,

    /// <summary>The packet index was already received within the replay window (RFC 3711 §3.3.2).</summary>
    Replayed,

    /// <summary>The packet index is older than the replay window (RFC 3711 §3.3.2).</summary>
    TooOld,

    /// <summary>The packet is too short or its header is inconsistent with its length.</summary>
    Malformed,

    /// <summary>No stream exists for the SSRC and the context is strict about SSRCs.</summary>
    UnknownSsrc,

    /// <summary>The master key protected its maximum number of packets (RFC 3711 §9.2: 2^48 SRTP, 2^31 SRTCP) or the index space is exhausted.</summary>
    KeyLimitReached,

    /// <summary>The destination (or the caller's buffer, for in-place calls) cannot hold the result.</summary>
    BufferTooSmall,
}
