namespace RtcStack.Sctp.Packets;

/// <summary>SCTP parameter types used in INIT, INIT ACK, HEARTBEAT and RE-CONFIG chunks.</summary>
public enum SctpParameterType : ushort
{
    /// <summary>Heartbeat Info, RFC 9260 §3.3.5.</summary>
    HeartbeatInfo = 1,

    /// <summary>IPv4 Address, RFC 9260 §3.3.2.1.</summary>
    Ipv4Address = 5,

    /// <summary>IPv6 Address, RFC 9260 §3.3.2.1.</summary>
    Ipv6Address = 6,

    /// <summary>State Cookie, RFC 9260 §3.3.3.1.</summary>
    StateCookie = 7,

    /// <summary>Unrecognized Parameter, RFC 9260 §3.3.3.1.</summary>
    UnrecognizedParameter = 8,

    /// <summary>Cookie Preservative, RFC 9260 §3.3.2.1.</summary>
    CookiePreservative = 9,

    /// <summary>Supported Address Types, RFC 9260 §3.3.2.1.</summary>
    SupportedAddressTypes = 12,

    /// <summary>Outgoing SSN Reset Request, RFC 6525 §4.1.</summary>
    OutgoingSsnResetRequest = 13,

    /// <summary>Incoming SSN Reset Request, RFC 6525 §4.2.</summary>
    IncomingSsnResetRequest = 14,

    /// <summary>SSN/TSN Reset Request, RFC 6525 §4.3.</summary>
    SsnTsnResetRequest = 15,

    /// <summary>Re-configuration Response, RFC 6525 §4.4.</summary>
    ReconfigurationResponse = 16,

    /// <summary>Add Outgoing Streams Request, RFC 6525 §4.5.</summary>
    AddOutgoingStreamsRequest = 17,

    /// <summary>Add Incoming Streams Request, RFC 6525 §4.6.</summary>
    AddIncomingStreamsRequest = 18,

    /// <summary>ECN Capable, RFC 9260 Appendix A.</summary>
    EcnCapable = 0x8000,

    /// <summary>Zero Checksum Acceptable, RFC 9653 §4: length 8, the value one 32-bit Error Detection Method Identifier.</summary>
    ZeroChecksumAcceptable = 0x8001,

    /// <summary>Supported Extensions, RFC 5061 §4.2.7.</summary>
    SupportedExtensions = 0x8008,

    /// <summary>Forward-TSN-Supported, RFC 3758 §3.1.</summary>
    ForwardTsnSupported = 0xC000,
}

/// <summary>Error Detection Method Identifiers of the Zero Checksum Acceptable parameter (RFC 9653 §4, §8 IANA registry).</summary>
public static class SctpErrorDetectionMethod
{
    /// <summary>0 is reserved (RFC 9653 §8): it names no method, and a parameter carrying it is treated as absent.</summary>
    public const uint Reserved = 0;

    /// <summary>SCTP over DTLS (RFC 9653 §6, RFC 8261): DTLS's record protection detects errors in place of the CRC32c.</summary>
    public const uint SctpOverDtls = 1;
}
