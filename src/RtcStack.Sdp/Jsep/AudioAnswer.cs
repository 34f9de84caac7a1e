namespace RtcStack.Sdp.Jsep;

/// <summary>An answer built by <see cref="AudioJsep.TryCreateAnswer"/>: the description to send and what it negotiated.</summary>
/// <param name="Description">The answer; <c>ToString()</c> gives its text.</param>
/// <param name="Negotiated">What was agreed.</param>
public sealed record AudioAnswer(SessionDescription Description, NegotiatedAudio Negotiated);
