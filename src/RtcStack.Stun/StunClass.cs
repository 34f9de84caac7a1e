namespace RtcStack.Stun;

/// <summary>The class of a STUN message (RFC 8489 §5): the C1/C0 bits of the message type.</summary>
public enum StunClass : byte
{
    /// <summary>A request (0b00).</summary>
    Request = 0,

    /// <summary>An indication (0b01).</summary>
    Indication = 1,

    /// <summary>A success response (0b10).</summary>
    SuccessResponse = 2,

    /// <summary>An error response (0b11).</summary>
    ErrorResponse = 3,
}
