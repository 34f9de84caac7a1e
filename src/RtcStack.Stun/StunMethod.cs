namespace RtcStack.Stun;

/// <summary>STUN methods (RFC 8489 §18.2, RFC 8656 §17), the 12-bit method of a message type.</summary>
public enum StunMethod : ushort
{
    /// <summary>Binding (RFC 8489 §3).</summary>
    Binding = 0x001,

    /// <summary>TURN Allocate (RFC 8656 §7).</summary>
    Allocate = 0x003,

    /// <summary>TURN Refresh (RFC 8656 §8).</summary>
    Refresh = 0x004,

    /// <summary>TURN Send indication (RFC 8656 §11).</summary>
    Send = 0x006,

    /// <summary>TURN Data indication (RFC 8656 §11).</summary>
    Data = 0x007,

    /// <summary>TURN CreatePermission (RFC 8656 §10).</summary>
    CreatePermission = 0x008,

    /// <summary>TURN ChannelBind (RFC 8656 §12).</summary>
    ChannelBind = 0x009,
}
