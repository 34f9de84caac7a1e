namespace RtcStack.Opus;

/// <summary>A libopus call failed because of how it was called (API misuse); untrusted packets never cause it.</summary>
public sealed class OpusException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="OpusException"/> class.</summary>
    public OpusException()
        : this(OpusError.InternalError, "libopus call failed")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OpusException"/> class.</summary>
    public OpusException(string message)
        : this(OpusError.InternalError, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OpusException"/> class.</summary>
    public OpusException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = OpusError.InternalError;
    }

    /// <summary>Initializes a new instance of the <see cref="OpusException"/> class for a libopus error code.</summary>
    public OpusException(OpusError error, string operation)
        : base($"{operation} failed: {Describe(error)} ({(int)error})")
    {
        Error = error;
    }

    /// <summary>Gets the libopus error code.</summary>
    public OpusError Error { get; }

    /// <summary>Returns a short description of a libopus error code (our wording of opus_defines.h).</summary>
    public static string Describe(OpusError error) => error switch
    {
        OpusError.Ok => "success",
        OpusError.BadArgument => "invalid argument",
        OpusError.BufferTooSmall => "buffer too small",
        OpusError.InternalError => "internal error",
        OpusError.InvalidPacket => "corrupted stream",
        OpusError.Unimplemented => "request not implemented",
        OpusError.InvalidState => "invalid state",
        OpusError.AllocationFailed => "memory allocation failed",
        _ => "unknown error",
    };
}
