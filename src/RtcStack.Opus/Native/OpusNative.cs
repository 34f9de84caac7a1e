using System.Runtime.InteropServices;

namespace RtcStack.Opus;

/// <summary>
/// P/Invoke declarations for libopus. The library name "opus" is mapped to a real file by
/// <see cref="OpusLibrary"/>'s resolver. <c>opus_encoder_ctl</c> and <c>opus_decoder_ctl</c> are C
/// variadic functions; see <see cref="EncoderCtl(SafeOpusEncoderHandle, int, int)"/> for how they are called.
/// </summary>
internal static unsafe partial class OpusNative
{
    internal const string Library = "opus";

    static OpusNative() => OpusLibrary.RegisterResolver();

    /// <summary>
    /// Gets a value indicating whether variadic arguments travel on the stack while named ones use
    /// registers: true on Apple arm64 (macOS, iOS), whose ABI differs from AAPCS64 there. On x86-64
    /// (System V and Windows), Linux/Windows arm64, an int or pointer variadic argument is passed
    /// exactly as a named one, so a fixed-arity declaration is a correct call.
    /// </summary>
    internal static bool VariadicArgumentsOnStack { get; } =
        RuntimeInformation.ProcessArchitecture == Architecture.Arm64 &&
        (OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS() || OperatingSystem.IsMacCatalyst());

    [LibraryImport(Library, EntryPoint = "opus_get_version_string")]
    internal static partial nint GetVersionString();

    [LibraryImport(Library, EntryPoint = "opus_encoder_create")]
    internal static partial SafeOpusEncoderHandle EncoderCreate(int sampleRate, int channels, int application, out int error);

    [LibraryImport(Library, EntryPoint = "opus_encoder_destroy")]
    internal static partial void EncoderDestroy(nint encoder);

    [LibraryImport(Library, EntryPoint = "opus_encode")]
    internal static partial int Encode(SafeOpusEncoderHandle encoder, short* pcm, int frameSize, byte* data, int maxDataBytes);

    [LibraryImport(Library, EntryPoint = "opus_encode_float")]
    internal static partial int EncodeFloat(SafeOpusEncoderHandle encoder, float* pcm, int frameSize, byte* data, int maxDataBytes);

    [LibraryImport(Library, EntryPoint = "opus_decoder_create")]
    internal static partial SafeOpusDecoderHandle DecoderCreate(int sampleRate, int channels, out int error);

    [LibraryImport(Library, EntryPoint = "opus_decoder_destroy")]
    internal static partial void DecoderDestroy(nint decoder);

    [LibraryImport(Library, EntryPoint = "opus_decode")]
    internal static partial int Decode(SafeOpusDecoderHandle decoder, byte* data, int length, short* pcm, int frameSize, int decodeFec);

    [LibraryImport(Library, EntryPoint = "opus_decode_float")]
    internal static partial int DecodeFloat(SafeOpusDecoderHandle decoder, byte* data, int length, float* pcm, int frameSize, int decodeFec);

    /// <summary>
    /// Calls <c>opus_encoder_ctl(st, request, value)</c> for a request taking one int. The C function
    /// is variadic; .NET cannot express that, so the call is declared with fixed arity. That is
    /// ABI-correct where a variadic int goes where the next named int would (x86-64 SysV: the callee
    /// only consults %al to spill vector registers, unused for ints; Win64; AAPCS64 on Linux and
    /// Windows). On Apple arm64 every variadic argument goes on the stack, so six dummy register
    /// arguments fill x2–x7 and the value lands in the first stack slot, where va_arg reads it.
    /// </summary>
    internal static int EncoderCtl(SafeOpusEncoderHandle st, int request, int value) =>
        VariadicArgumentsOnStack
            ? EncoderCtlStack(st, request, 0, 0, 0, 0, 0, 0, value)
            : EncoderCtlInt(st, request, value);

    /// <summary>Calls <c>opus_encoder_ctl(st, request, &amp;value)</c> for a GET request (see the int overload for the variadic ABI).</summary>
    internal static int EncoderCtl(SafeOpusEncoderHandle st, int request, out int value)
    {
        int result;
        fixed (int* p = &value)
        {
            result = VariadicArgumentsOnStack
                ? EncoderCtlStack(st, request, 0, 0, 0, 0, 0, 0, (nint)p)
                : EncoderCtlPointer(st, request, p);
        }

        return result;
    }

    /// <summary>Calls <c>opus_encoder_ctl(st, request)</c> for a request without argument (OPUS_RESET_STATE).</summary>
    internal static int EncoderCtl(SafeOpusEncoderHandle st, int request) => EncoderCtlNone(st, request);

    /// <summary>Calls <c>opus_decoder_ctl(st, request, value)</c> (see <see cref="EncoderCtl(SafeOpusEncoderHandle, int, int)"/>).</summary>
    internal static int DecoderCtl(SafeOpusDecoderHandle st, int request, int value) =>
        VariadicArgumentsOnStack
            ? DecoderCtlStack(st, request, 0, 0, 0, 0, 0, 0, value)
            : DecoderCtlInt(st, request, value);

    /// <summary>Calls <c>opus_decoder_ctl(st, request, &amp;value)</c> for a GET request.</summary>
    internal static int DecoderCtl(SafeOpusDecoderHandle st, int request, out int value)
    {
        int result;
        fixed (int* p = &value)
        {
            result = VariadicArgumentsOnStack
                ? DecoderCtlStack(st, request, 0, 0, 0, 0, 0, 0, (nint)p)
                : DecoderCtlPointer(st, request, p);
        }

        return result;
    }

    /// <summary>Calls <c>opus_decoder_ctl(st, request)</c> for a request without argument.</summary>
    internal static int DecoderCtl(SafeOpusDecoderHandle st, int request) => DecoderCtlNone(st, request);

    [LibraryImport(Library, EntryPoint = "opus_encoder_ctl")]
    private static partial int EncoderCtlInt(SafeOpusEncoderHandle st, int request, int value);

    [LibraryImport(Library, EntryPoint = "opus_encoder_ctl")]
    private static partial int EncoderCtlPointer(SafeOpusEncoderHandle st, int request, int* value);

    [LibraryImport(Library, EntryPoint = "opus_encoder_ctl")]
    private static partial int EncoderCtlNone(SafeOpusEncoderHandle st, int request);

    [LibraryImport(Library, EntryPoint = "opus_encoder_ctl")]
    private static partial int EncoderCtlStack(SafeOpusEncoderHandle st, int request, nint x2, nint x3, nint x4, nint x5, nint x6, nint x7, nint variadic);

    [LibraryImport(Library, EntryPoint = "opus_decoder_ctl")]
    private static partial int DecoderCtlInt(SafeOpusDecoderHandle st, int request, int value);

    [LibraryImport(Library, EntryPoint = "opus_decoder_ctl")]
    private static partial int DecoderCtlPointer(SafeOpusDecoderHandle st, int request, int* value);

    [LibraryImport(Library, EntryPoint = "opus_decoder_ctl")]
    private static partial int DecoderCtlNone(SafeOpusDecoderHandle st, int request);

    [LibraryImport(Library, EntryPoint = "opus_decoder_ctl")]
    private static partial int DecoderCtlStack(SafeOpusDecoderHandle st, int request, nint x2, nint x3, nint x4, nint x5, nint x6, nint x7, nint variadic);
}
