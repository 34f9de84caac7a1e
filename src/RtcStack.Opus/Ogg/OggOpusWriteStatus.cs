namespace RtcStack.Opus.Ogg;

/// <summary>What <see cref="OggOpusWriter.WriteRtpPacket"/> did with one payload.</summary>
public enum OggOpusWriteStatus
{
    /// <summary>The packet was written.</summary>
    Written = 0,

    /// <summary>A timestamp gap (loss or DTX) was filled with concealment packets, then the packet was written.</summary>
    GapFilled,

    /// <summary>The timestamp jumped by more than <see cref="OggOpusWriterOptions.MaxGap"/> (or backwards by more than half the range): written without filling.</summary>
    Discontinuity,

    /// <summary>The packet starts before the end of what was already written (reordered or duplicate): dropped.</summary>
    Late,

    /// <summary>The payload is not a valid Opus packet (RFC 6716 §3.4): dropped; its time is filled when the next packet arrives.</summary>
    Malformed,
}
