namespace RtcStack.Sdp.Jsep;

/// <summary>Why an offer cannot be answered or an answer cannot be applied, with a message naming the section at fault.</summary>
/// <param name="Code">The reason.</param>
/// <param name="Message">A human-readable explanation.</param>
/// <param name="MediaIndex">The index of the m= section at fault, or null.</param>
public sealed record JsepError(JsepErrorCode Code, string Message, int? MediaIndex = null)
{
    /// <summary>Gets the mid of the m= section at fault, when it has one.</summary>
    public string? Mid { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        MediaIndex is int i ? $"{Code} (m= section {i}{(Mid is null ? "" : ", mid " + Mid)}): {Message}" : $"{Code}: {Message}";
}
