namespace RtcStack.WebRtc.Signalling;

/// <summary>The outcome of a WHIP/WHEP POST: a created session with its answer, or a refusal with an HTTP status.</summary>
public sealed record WhipCreateResult
{
    private WhipCreateResult()
    {
    }

    /// <summary>Gets the new session's id (the last path segment of its Location), or null when refused.</summary>
    public string? ResourceId { get; private init; }

    /// <summary>Gets the SDP answer, or null when refused.</summary>
    public string? AnswerSdp { get; private init; }

    /// <summary>Gets the entity tag identifying the ICE session (RFC 9725 §4.3.1), if any.</summary>
    public string? ETag { get; private init; }

    /// <summary>Gets the HTTP status when refused (400, 406, 422, 503...).</summary>
    public int ErrorStatus { get; private init; }

    /// <summary>Gets a human-readable reason when refused.</summary>
    public string? ErrorMessage { get; private init; }

    /// <summary>Gets how long the client should wait before trying again (a 503 or 429 carries it as Retry-After), if known.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>A session was created.</summary>
    public static WhipCreateResult Created(string resourceId, string answerSdp, string? etag) =>
        new() { ResourceId = resourceId, AnswerSdp = answerSdp, ETag = etag };

    /// <summary>The offer was refused with <paramref name="status"/>.</summary>
    public static WhipCreateResult Rejected(int status, string message) =>
        new() { ErrorStatus = status, ErrorMessage = message };

    /// <summary>
    /// WHEP (draft-ietf-wish-whep-03 §4.2.8): the endpoint needs a live publication and there is none now: 409 Conflict
    /// with Retry-After.
    /// </summary>
    public static WhipCreateResult NotPublished(string message, TimeSpan retryAfter) =>
        new() { ErrorStatus = 409, ErrorMessage = message, RetryAfter = retryAfter };

    /// <summary>The server cannot take a session now: 503 with Retry-After (RFC 9725 §4.5; RFC 9110 §15.6.4, §10.2.3).</summary>
    public static WhipCreateResult Unavailable(string message, TimeSpan retryAfter) =>
        new() { ErrorStatus = 503, ErrorMessage = message, RetryAfter = retryAfter };
}
