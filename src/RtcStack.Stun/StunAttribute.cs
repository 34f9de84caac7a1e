namespace RtcStack.Stun;

/// <summary>One attribute of a parsed STUN message: its type and its value (without padding), a view into the message.</summary>
public readonly ref struct StunAttribute
{
    /// <summary>Initializes a new instance.</summary>
    public StunAttribute(StunAttributeType type, ReadOnlySpan<byte> value, int offset)
    {
        Type = type;
        Value = value;
        Offset = offset;
    }

    /// <summary>Gets the attribute type.</summary>
    public StunAttributeType Type { get; }

    /// <summary>Gets the value bytes (length as given in the attribute header, padding excluded).</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Gets the offset of the attribute header within the message.</summary>
    public int Offset { get; }
}
