namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// A WHIP or WHEP request that did not succeed: an error status from the endpoint (with its body, trimmed), a response
/// that is not what RFC 9725 requires (no Location, an answer that does not apply), too many redirects, a timeout.
/// </summary>
public sealed class WhipClientException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="WhipClientException"/> class.</summary>
    public WhipClientException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WhipClientException"/> class.</summary>
    public WhipClientException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WhipClientException"/> class.</summary>
    public WhipClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WhipClientException"/> class for an HTTP error status.</summary>
    public WhipClientException(string message, int statusCode, string? responseBody, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ResponseBody = responseBody;
    }

    /// <summary>Gets the HTTP status the endpoint answered, or null when the failure was not an HTTP status.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the body of the error response (at most 4 KiB of it), if any.</summary>
    public string? ResponseBody { get; }

    /// <summary>Gets the delay the endpoint's <c>Retry-After</c> asked for (RFC 9110 §10.2.3), if it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
