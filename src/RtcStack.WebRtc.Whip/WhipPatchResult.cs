namespace RtcStack.WebRtc.Signalling;

/// <summary>The outcome of a WHIP/WHEP PATCH (RFC 9725 §4.3).</summary>
public sealed record WhipPatchResult
{
    private WhipPatchResult()
    {
    }

    /// <summary>Gets the HTTP status: 204 trickle applied, 200 ICE restart answered, 404, 412, 428, 422...</summary>
    public int Status { get; private init; }

    /// <summary>Gets the answer fragment for an ICE restart (status 200).</summary>
    public string? AnswerFragment { get; private init; }

    /// <summary>Gets the new entity tag after an ICE restart.</summary>
    public string? ETag { get; private init; }

    /// <summary>Gets a reason for an error status.</summary>
    public string? ErrorMessage { get; private init; }

    /// <summary>Candidates were applied: 204 No Content.</summary>
    public static WhipPatchResult Trickled() => new() { Status = 204 };

    /// <summary>An ICE restart was accepted: 200 with the server's new credentials and candidates.</summary>
    public static WhipPatchResult Restarted(string answerFragment, string etag) =>
        new() { Status = 200, AnswerFragment = answerFragment, ETag = etag };

    /// <summary>No such session: 404.</summary>
    public static WhipPatchResult NotFound() => new() { Status = 404, ErrorMessage = "no such session" };

    /// <summary>Refused with <paramref name="status"/> (412 ETag mismatch, 428 no If-Match, 422 unusable fragment, ...).</summary>
    public static WhipPatchResult Rejected(int status, string message) => new() { Status = status, ErrorMessage = message };
}
