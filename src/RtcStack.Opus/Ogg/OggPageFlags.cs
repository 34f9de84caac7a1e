namespace RtcStack.Opus.Ogg;

/// <summary>The header type flags of an Ogg page (RFC 3533 §6).</summary>
[Flags]
public enum OggPageFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>The page starts with the continuation of a packet from the previous page.</summary>
    Continued = 0x01,

    /// <summary>The first page of a logical bitstream (beginning of stream).</summary>
    BeginningOfStream = 0x02,

    /// <summary>The last page of a logical bitstream (end of stream).</summary>
    EndOfStream = 0x04,
}
