namespace RtcStack.Sdp;

/// <summary>One parameter of an "a=fmtp" line: "name=value", or a bare item such as "0-15" (telephone-event) or "111/111" (RED), whose <see cref="Value"/> is null.</summary>
/// <param name="Name">The parameter name (or the whole item when it has no '=').</param>
/// <param name="Value">The value, or null.</param>
public readonly record struct FormatParameter(string Name, string? Value)
{
    /// <inheritdoc/>
    public override string ToString() => Value is null ? Name : Name + "=" + Value;
}
