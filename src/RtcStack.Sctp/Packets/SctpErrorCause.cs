namespace RtcStack.Sctp.Packets;

/// <summary>Error cause codes carried in ABORT and ERROR chunks (RFC 9260 §3.3.10).</summary>
public enum SctpErrorCause : ushort
{
    /// <summary>Invalid Stream Identifier, §3.3.10.1.</summary>
    InvalidStreamIdentifier = 1,

    /// <summary>Missing Mandatory Parameter, §3.3.10.2.</summary>
    MissingMandatoryParameter = 2,

    /// <summary>Stale Cookie Error, §3.3.10.3.</summary>
    StaleCookie = 3,

    /// <summary>Out of Resource, §3.3.10.4.</summary>
    OutOfResource = 4,

    /// <summary>Unresolvable Address, §3.3.10.5.</summary>
    UnresolvableAddress = 5,

    /// <summary>Unrecognized Chunk Type, §3.3.10.6.</summary>
    UnrecognizedChunkType = 6,

    /// <summary>Invalid Mandatory Parameter, §3.3.10.7.</summary>
    InvalidMandatoryParameter = 7,

    /// <summary>Unrecognized Parameters, §3.3.10.8.</summary>
    UnrecognizedParameters = 8,

    /// <summary>No User Data, §3.3.10.9.</summary>
    NoUserData = 9,

    /// <summary>Cookie Received While Shutting Down, §3.3.10.10.</summary>
    CookieReceivedWhileShuttingDown = 10,

    /// <summary>Restart of an Association with New Addresses, §3.3.10.11.</summary>
    RestartWithNewAddresses = 11,

    /// <summary>User-Initiated Abort, §3.3.10.12.</summary>
    UserInitiatedAbort = 12,

    /// <summary>Protocol Violation, §3.3.10.13.</summary>
    ProtocolViolation = 13,
}
