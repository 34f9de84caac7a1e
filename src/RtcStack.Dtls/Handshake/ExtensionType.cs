namespace RtcStack.Dtls.Handshake;

/// <summary>IANA TLS ExtensionType values this implementation reads or writes.</summary>
internal static class ExtensionType
{
    /// <summary>supported_groups (10), RFC 8422 §5.1.1.</summary>
    public const ushort SupportedGroups = 10;

    /// <summary>ec_point_formats (11), RFC 8422 §5.1.2.</summary>
    public const ushort EcPointFormats = 11;

    /// <summary>signature_algorithms (13), RFC 5246 §7.4.1.4.1.</summary>
    public const ushort SignatureAlgorithms = 13;

    /// <summary>use_srtp (14), RFC 5764 §4.1.1.</summary>
    public const ushort UseSrtp = 14;

    /// <summary>extended_master_secret (23), RFC 7627 §5.1.</summary>
    public const ushort ExtendedMasterSecret = 23;

    /// <summary>supported_versions (43), RFC 8446 §4.2.1.</summary>
    public const ushort SupportedVersions = 43;

    /// <summary>cookie (44), RFC 8446 §4.2.2.</summary>
    public const ushort Cookie = 44;

    /// <summary>psk_key_exchange_modes (45), RFC 8446 §4.2.9.</summary>
    public const ushort PskKeyExchangeModes = 45;

    /// <summary>key_share (51), RFC 8446 §4.2.8.</summary>
    public const ushort KeyShare = 51;

    /// <summary>pre_shared_key (41), RFC 8446 §4.2.11: must be last in a ClientHello.</summary>
    public const ushort PreSharedKey = 41;

    /// <summary>renegotiation_info (0xFF01), RFC 5746 §3.2.</summary>
    public const ushort RenegotiationInfo = 0xFF01;
}
