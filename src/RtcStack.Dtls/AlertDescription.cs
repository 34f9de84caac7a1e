namespace RtcStack.Dtls;

/// <summary>RFC 5246 §7.2 and RFC 8446 §6: AlertDescription values.</summary>
public enum AlertDescription : byte
{
    /// <summary>close_notify(0), RFC 5246 §7.2.1.</summary>
    CloseNotify = 0,

    /// <summary>unexpected_message(10).</summary>
    UnexpectedMessage = 10,

    /// <summary>bad_record_mac(20).</summary>
    BadRecordMac = 20,

    /// <summary>record_overflow(22).</summary>
    RecordOverflow = 22,

    /// <summary>handshake_failure(40).</summary>
    HandshakeFailure = 40,

    /// <summary>bad_certificate(42).</summary>
    BadCertificate = 42,

    /// <summary>unsupported_certificate(43).</summary>
    UnsupportedCertificate = 43,

    /// <summary>certificate_revoked(44).</summary>
    CertificateRevoked = 44,

    /// <summary>certificate_expired(45).</summary>
    CertificateExpired = 45,

    /// <summary>certificate_unknown(46).</summary>
    CertificateUnknown = 46,

    /// <summary>illegal_parameter(47).</summary>
    IllegalParameter = 47,

    /// <summary>unknown_ca(48).</summary>
    UnknownCA = 48,

    /// <summary>access_denied(49).</summary>
    AccessDenied = 49,

    /// <summary>decode_error(50).</summary>
    DecodeError = 50,

    /// <summary>decrypt_error(51).</summary>
    DecryptError = 51,

    /// <summary>protocol_version(70).</summary>
    ProtocolVersion = 70,

    /// <summary>insufficient_security(71).</summary>
    InsufficientSecurity = 71,

    /// <summary>internal_error(80).</summary>
    InternalError = 80,

    /// <summary>user_canceled(90).</summary>
    UserCanceled = 90,

    /// <summary>no_renegotiation(100), RFC 5246 §7.2.2.</summary>
    NoRenegotiation = 100,

    /// <summary>missing_extension(109), RFC 8446 §6.2.</summary>
    MissingExtension = 109,

    /// <summary>unsupported_extension(110).</summary>
    UnsupportedExtension = 110,

    /// <summary>certificate_required(116), RFC 8446 §6.2.</summary>
    CertificateRequired = 116,
}
