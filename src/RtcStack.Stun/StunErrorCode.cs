namespace RtcStack.Stun;

/// <summary>ERROR-CODE values used by STUN, TURN and ICE (RFC 8489 §14.8, RFC 8656 §19, RFC 8445 §7.3.1.1).</summary>
public static class StunErrorCode
{
    /// <summary>300 Try Alternate.</summary>
    public const int TryAlternate = 300;

    /// <summary>400 Bad Request.</summary>
    public const int BadRequest = 400;

    /// <summary>401 Unauthenticated.</summary>
    public const int Unauthenticated = 401;

    /// <summary>403 Forbidden (RFC 8656).</summary>
    public const int Forbidden = 403;

    /// <summary>420 Unknown Attribute.</summary>
    public const int UnknownAttribute = 420;

    /// <summary>437 Allocation Mismatch (RFC 8656).</summary>
    public const int AllocationMismatch = 437;

    /// <summary>438 Stale Nonce.</summary>
    public const int StaleNonce = 438;

    /// <summary>440 Address Family not Supported (RFC 8656).</summary>
    public const int AddressFamilyNotSupported = 440;

    /// <summary>441 Wrong Credentials (RFC 8656).</summary>
    public const int WrongCredentials = 441;

    /// <summary>442 Unsupported Transport Protocol (RFC 8656).</summary>
    public const int UnsupportedTransportProtocol = 442;

    /// <summary>443 Peer Address Family Mismatch (RFC 8656).</summary>
    public const int PeerAddressFamilyMismatch = 443;

    /// <summary>486 Allocation Quota Reached (RFC 8656).</summary>
    public const int AllocationQuotaReached = 486;

    /// <summary>487 Role Conflict (RFC 8445 §7.3.1.1).</summary>
    public const int RoleConflict = 487;

    /// <summary>500 Server Error.</summary>
    public const int ServerError = 500;

    /// <summary>508 Insufficient Capacity (RFC 8656).</summary>
    public const int InsufficientCapacity = 508;

    /// <summary>Gets the RFC's reason phrase for a code (empty if unknown).</summary>
    public static string ReasonPhrase(int code) => code switch
    {
        TryAlternate => "Try Alternate",
        BadRequest => "Bad Request",
        Unauthenticated => "Unauthenticated",
        Forbidden => "Forbidden",
        UnknownAttribute => "Unknown Attribute",
        AllocationMismatch => "Allocation Mismatch",
        StaleNonce => "Stale Nonce",
        AddressFamilyNotSupported => "Address Family not Supported",
        WrongCredentials => "Wrong Credentials",
        UnsupportedTransportProtocol => "Unsupported Transport Protocol",
        PeerAddressFamilyMismatch => "Peer Address Family Mismatch",
        AllocationQuotaReached => "Allocation Quota Reached",
        RoleConflict => "Role Conflict",
        ServerError => "Server Error",
        InsufficientCapacity => "Insufficient Capacity",
        _ => "",
    };
}
