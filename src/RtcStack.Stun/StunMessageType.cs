namespace RtcStack.Stun;

/// <summary>
/// RFC 8489 §5: the 14-bit message type, interleaving the 12 method bits M0..M11 with the class
/// bits C0 (bit 4) and C1 (bit 8).
/// </summary>
public readonly record struct StunMessageType(StunMethod Method, StunClass Class)
{
    /// <summary>Gets the 16-bit wire value (top two bits zero).</summary>
    public ushort Value
    {
        get
        {
            int m = (int)Method;
            int c = (int)Class;
            return (ushort)((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7));
        }
    }

    /// <summary>Decodes a 16-bit wire value (its top two bits are ignored).</summary>
    public static StunMessageType FromValue(ushort value)
    {
        int m = (value & 0x000F) | ((value & 0x00E0) >> 1) | ((value & 0x3E00) >> 2);
        int c = ((value >> 4) & 1) | ((value >> 7) & 2);
        return new StunMessageType((StunMethod)m, (StunClass)c);
    }

    /// <summary>Binding request.</summary>
    public static StunMessageType BindingRequest => new(StunMethod.Binding, StunClass.Request);

    /// <summary>Binding success response.</summary>
    public static StunMessageType BindingSuccess => new(StunMethod.Binding, StunClass.SuccessResponse);

    /// <summary>Binding error response.</summary>
    public static StunMessageType BindingError => new(StunMethod.Binding, StunClass.ErrorResponse);

    /// <summary>Binding indication (RFC 8445 keepalive).</summary>
    public static StunMessageType BindingIndication => new(StunMethod.Binding, StunClass.Indication);

    /// <inheritdoc/>
    public override string ToString() => $"{Method} {Class}";
}
