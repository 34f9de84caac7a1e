namespace RtcStack.Rtp.Capture;

/// <summary>The outcome of <see cref="CaptureReader.ReadNext(out CaptureRecord)"/>.</summary>
public enum CaptureReadStatus
{
    /// <summary>A packet record was read.</summary>
    Record,

    /// <summary>The capture ended cleanly at a record boundary.</summary>
    EndOfCapture,

    /// <summary>
    /// The file ends inside a header, block or record (an interrupted copy, or a capture still being
    /// written). Every record before it was delivered; <see cref="CaptureReader.Error"/> says where.
    /// </summary>
    Truncated,

    /// <summary>
    /// The bytes are not a valid capture (bad magic, impossible lengths, unknown interface). Every
    /// record before the damage was delivered; <see cref="CaptureReader.Error"/> says what and where.
    /// </summary>
    Malformed,
}
