using Microsoft.Win32.SafeHandles;

namespace RtcStack.Opus;

/// <summary>Owns a libopus <c>OpusDecoder*</c>; releasing it calls <c>opus_decoder_destroy</c>.</summary>
public sealed class SafeOpusDecoderHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Initializes a new instance of the <see cref="SafeOpusDecoderHandle"/> class (used by the marshaller).</summary>
    public SafeOpusDecoderHandle()
        : base(ownsHandle: true)
    {
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        OpusNative.DecoderDestroy(handle);
        return true;
    }
}
