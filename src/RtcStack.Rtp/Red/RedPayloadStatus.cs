namespace RtcStack.Rtp.Red;

/// <summary>The outcome of parsing an RFC 2198 redundant audio payload.</summary>
public enum RedPayloadStatus
{
    /// <summary>Well formed: block headers, then data blocks that fit the payload exactly (primary last).</summary>
    Valid,

    /// <summary>The payload is empty: there is not even the final one-byte header (RFC 2198 §3).</summary>
    Empty,

    /// <summary>A block header runs past the end of the payload.</summary>
    TruncatedHeader,

    /// <summary>The redundant blocks' lengths add up to more than the bytes after the headers.</summary>
    BlockLengthExceedsPayload,

    /// <summary>More redundant blocks than <see cref="RedPayload.MaxBlocks"/>.</summary>
    TooManyBlocks,
}
