using RtcStack.Sdp.Jsep;

namespace RtcStack.WebRtc.Jsep;

/// <summary>Thrown by the non-Try methods of <see cref="JsepSession"/> with the typed reason the Try form returns.</summary>
public sealed class JsepException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="JsepException"/> class.</summary>
    /// <param name="error">The reason.</param>
    public JsepException(JsepError error)
        : base(error?.ToString())
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>Gets the typed reason.</summary>
    public JsepError Error { get; }
}
