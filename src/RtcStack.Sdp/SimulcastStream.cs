namespace RtcStack.Sdp;

/// <summary>One rid in an "a=simulcast" list (RFC 8853 §5.1 sc-id), possibly paused ("~").</summary>
/// <param name="Rid">The rid-id.</param>
/// <param name="Paused">Whether the stream starts paused ("~" prefix).</param>
public readonly record struct SimulcastStream(string Rid, bool Paused = false)
{
    /// <inheritdoc/>
    public override string ToString() => Paused ? "~" + Rid : Rid;
}
