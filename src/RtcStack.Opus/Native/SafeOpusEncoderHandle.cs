using Microsoft.Win32.SafeHandles;

namespace RtcStack.Opus;

/// <summary>Owns a libopus <c>OpusEncoder*</c>; releasing it calls <c>opus_encoder_destroy</c>.</summary>
public sealed class SafeOpusEncoderHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Initializes a new instance of the <see cref="SafeOpusEncoderHandle"/> class (used by the marshaller).</summary>
    public SafeOpusEncoderHandle()
        : base(ownsHandle: true)
    {
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        OpusNative.EncoderDestroy(handle);
        return true;
    }
}
