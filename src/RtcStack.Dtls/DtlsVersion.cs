namespace RtcStack.Dtls;

/// <summary>DTLS protocol versions this endpoint negotiates.</summary>
public enum DtlsVersion
{
    /// <summary>DTLS 1.2, RFC 6347 (wire version 0xfefd).</summary>
    Dtls12 = 0,

    /// <summary>DTLS 1.3, RFC 9147 (supported_versions 0xfefc).</summary>
    Dtls13 = 1,
}
