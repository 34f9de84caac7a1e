namespace RtcStack.Opus.Ogg;

/// <summary>The result of <see cref="OggOpusReader.Read"/>.</summary>
public enum OggOpusReadResult
{
    /// <summary>A packet was returned.</summary>
    Packet = 0,

    /// <summary>The stream ended (end-of-stream page, or end of data after the last page).</summary>
    EndOfStream,

    /// <summary>No Opus stream: the first logical stream does not start with a valid OpusHead (RFC 7845 §5.1).</summary>
    NotOpus,

    /// <summary>The comment header is missing or malformed (RFC 7845 §5.2).</summary>
    InvalidTags,

    /// <summary>The first audio page's granule position is smaller than its samples without being the last page (RFC 7845 §4.5: MUST reject).</summary>
    InvalidGranule,

    /// <summary>A packet is larger than <see cref="OggOpusReader.MaxPacketLength"/>.</summary>
    PacketTooLarge,
}
