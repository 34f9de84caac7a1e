namespace RtcStack.Sctp.Packets;

/// <summary>Why <see cref="SctpPacket.TryParse"/> accepted or refused a datagram.</summary>
public enum SctpParseStatus
{
    /// <summary>A well-formed packet: header, checksum and every chunk length hold together.</summary>
    Ok,

    /// <summary>Shorter than the 12-byte common header plus one chunk header (RFC 9260 §3).</summary>
    TooShort,

    /// <summary>The CRC32c does not match (RFC 9260 §6.8: the packet MUST be discarded).</summary>
    BadChecksum,

    /// <summary>A chunk length is below 4 or runs past the end of the packet (RFC 9260 §3.2).</summary>
    BadChunkLength,
}
