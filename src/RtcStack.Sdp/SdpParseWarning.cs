namespace RtcStack.Sdp;

/// <summary>
/// One deviation from RFC 8866 (or an attribute's own specification) that a tolerant parse repaired,
/// dropped or accepted, with the 1-based line it was found on and the rule it breaks.
/// </summary>
/// <param name="Code">What was found.</param>
/// <param name="LineNumber">The 1-based line number in the input.</param>
/// <param name="Message">What was found and what the parser did about it.</param>
/// <param name="Rule">The specification and section the input breaks, e.g. "RFC 8866 §9".</param>
public readonly record struct SdpParseWarning(SdpParseWarningCode Code, int LineNumber, string Message, string Rule)
{
    /// <inheritdoc/>
    public override string ToString() => $"line {LineNumber}: {Message} ({Rule})";
}
