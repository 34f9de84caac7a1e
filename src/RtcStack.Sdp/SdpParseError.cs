namespace RtcStack.Sdp;

/// <summary>
/// The reason a session description could not be parsed, with the 1-based number of the line at
/// fault (0 when the input as a whole is at fault, such as an oversized input).
/// </summary>
/// <param name="Code">What went wrong.</param>
/// <param name="LineNumber">The 1-based line number, or 0 for the whole input.</param>
/// <param name="Message">A human-readable description naming the field at fault.</param>
public readonly record struct SdpParseError(SdpParseErrorCode Code, int LineNumber, string Message)
{
    /// <summary>Gets the value meaning "no error".</summary>
    public static SdpParseError None => new(SdpParseErrorCode.None, 0, string.Empty);

    /// <inheritdoc/>
    public override string ToString() => LineNumber > 0 ? $"line {LineNumber}: {Message} ({Code})" : $"{Message} ({Code})";
}
