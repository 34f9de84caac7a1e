namespace RtcStack.Opus;

/// <summary>libopus error codes (<c>OPUS_OK</c>, <c>OPUS_BAD_ARG</c>, ... from opus_defines.h).</summary>
public enum OpusError
{
    /// <summary>No error.</summary>
    Ok = 0,

    /// <summary>One or more invalid or out-of-range arguments.</summary>
    BadArgument = -1,

    /// <summary>Not enough bytes allocated in the buffer.</summary>
    BufferTooSmall = -2,

    /// <summary>An internal error was detected.</summary>
    InternalError = -3,

    /// <summary>The compressed data passed is corrupted.</summary>
    InvalidPacket = -4,

    /// <summary>Invalid or unsupported request number.</summary>
    Unimplemented = -5,

    /// <summary>An encoder or decoder structure is invalid or already freed.</summary>
    InvalidState = -6,

    /// <summary>Memory allocation has failed.</summary>
    AllocationFailed = -7,
}
