namespace RtcStack.Sctp;

/// <summary>
/// What the peer announced in its INIT or INIT ACK (whichever set up the association; kept in the State Cookie when
/// we answered its INIT): the chunk types listed in its Supported Extensions parameter (RFC 5061 §4.2.7) that this
/// stack uses, Forward-TSN-Supported (RFC 3758 §3.1) and the zero checksum method (RFC 9653 §5.1). It says what the
/// peer offered, not what is in use: see <see cref="SctpAssociation.MessageInterleaving"/> and
/// <see cref="SctpAssociation.PeerSupportsPartialReliability"/> for that.
/// </summary>
[Flags]
public enum SctpPeerFeatures
{
    /// <summary>Nothing announced (or the association is not set up yet).</summary>
    None = 0,

    /// <summary>FORWARD TSN (RFC 3758): the Forward-TSN-Supported parameter or type 192 in Supported Extensions.</summary>
    ForwardTsn = 1,

    /// <summary>RE-CONFIG (RFC 6525 §3.1, type 130) in Supported Extensions.</summary>
    ReConfig = 2,

    /// <summary>I-DATA (RFC 8260 §2.1, type 64) in Supported Extensions.</summary>
    IData = 4,

    /// <summary>I-FORWARD-TSN (RFC 8260 §2.3.1, type 194) in Supported Extensions.</summary>
    IForwardTsn = 8,

    /// <summary>Zero Checksum Acceptable with the SCTP-over-DTLS method (RFC 9653 §5.1, §6).</summary>
    ZeroChecksumOverDtls = 16,
}
