namespace RtcStack.Sdp;

/// <summary>
/// Thrown by <see cref="SessionDescription.Parse(string)"/> for a description that does not parse.
/// Untrusted input should go through <c>TryParse</c>, which never throws.
/// </summary>
public sealed class SdpParseException : FormatException
{
    /// <summary>Initializes a new instance of the <see cref="SdpParseException"/> class.</summary>
    public SdpParseException()
        : this(new SdpParseError(SdpParseErrorCode.MalformedLine, 0, "invalid session description"))
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SdpParseException"/> class.</summary>
    /// <param name="message">The message.</param>
    public SdpParseException(string message)
        : this(new SdpParseError(SdpParseErrorCode.MalformedLine, 0, message))
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SdpParseException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SdpParseException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new SdpParseError(SdpParseErrorCode.MalformedLine, 0, message);
    }

    /// <summary>Initializes a new instance of the <see cref="SdpParseException"/> class from a parse error.</summary>
    /// <param name="error">The error.</param>
    public SdpParseException(SdpParseError error)
        : base(error.ToString())
    {
        Error = error;
    }

    /// <summary>Gets the parse error, with its line number.</summary>
    public SdpParseError Error { get; }
}
