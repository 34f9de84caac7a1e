using System.Runtime.InteropServices;

namespace RtcStack.TestSupport;

/// <summary>
/// Raw libopus entry points (Debian libopus0, libopus.so.0) used as the reference implementation
/// by differential tests and benchmarks: the packet parsing helpers, the repacketizer, padding, and
/// plain encode/decode on raw pointers (the "no wrapper" baseline for RtcStack.Opus's binding).
/// </summary>
public static unsafe partial class LibOpusReference
{
    /// <summary>The library file name.</summary>
    public const string Library = "libopus.so.0";

    /// <summary>Throws with the Debian package name when libopus cannot be loaded.</summary>
    public static void Require() => ExternalTool.RequireLibrary("libopus0", Library);

    [LibraryImport(Library, EntryPoint = "opus_packet_parse")]
    public static partial int PacketParse(byte* data, int length, byte* outToc, byte** frames, short* sizes, int* payloadOffset);

    [LibraryImport(Library, EntryPoint = "opus_packet_get_nb_frames")]
    public static partial int PacketGetNbFrames(byte* packet, int length);

    [LibraryImport(Library, EntryPoint = "opus_packet_get_samples_per_frame")]
    public static partial int PacketGetSamplesPerFrame(byte* data, int sampleRate);

    [LibraryImport(Library, EntryPoint = "opus_packet_get_bandwidth")]
    public static partial int PacketGetBandwidth(byte* data);

    [LibraryImport(Library, EntryPoint = "opus_packet_get_nb_channels")]
    public static partial int PacketGetNbChannels(byte* data);

    [LibraryImport(Library, EntryPoint = "opus_packet_get_nb_samples")]
    public static partial int PacketGetNbSamples(byte* packet, int length, int sampleRate);

    [LibraryImport(Library, EntryPoint = "opus_packet_pad")]
    public static partial int PacketPad(byte* data, int length, int newLength);

    [LibraryImport(Library, EntryPoint = "opus_packet_unpad")]
    public static partial int PacketUnpad(byte* data, int length);

    [LibraryImport(Library, EntryPoint = "opus_repacketizer_create")]
    public static partial nint RepacketizerCreate();

    [LibraryImport(Library, EntryPoint = "opus_repacketizer_destroy")]
    public static partial void RepacketizerDestroy(nint rp);

    [LibraryImport(Library, EntryPoint = "opus_repacketizer_init")]
    public static partial nint RepacketizerInit(nint rp);

    [LibraryImport(Library, EntryPoint = "opus_repacketizer_cat")]
    public static partial int RepacketizerCat(nint rp, byte* data, int length);

    [LibraryImport(Library, EntryPoint = "opus_repacketizer_out_range")]
    public static partial int RepacketizerOutRange(nint rp, int begin, int end, byte* data, int maxLength);

    [LibraryImport(Library, EntryPoint = "opus_repacketizer_get_nb_frames")]
    public static partial int RepacketizerGetNbFrames(nint rp);

    [LibraryImport(Library, EntryPoint = "opus_encoder_create")]
    public static partial nint EncoderCreate(int sampleRate, int channels, int application, int* error);

    [LibraryImport(Library, EntryPoint = "opus_encoder_destroy")]
    public static partial void EncoderDestroy(nint encoder);

    [LibraryImport(Library, EntryPoint = "opus_encode")]
    public static partial int Encode(nint encoder, short* pcm, int frameSize, byte* data, int maxDataBytes);

    /// <summary>opus_encoder_ctl with one int argument (fixed arity is ABI-correct for ints on x86-64 SysV).</summary>
    [LibraryImport(Library, EntryPoint = "opus_encoder_ctl")]
    public static partial int EncoderCtl(nint encoder, int request, int value);

    /// <summary>opus_encoder_ctl for a GET request.</summary>
    [LibraryImport(Library, EntryPoint = "opus_encoder_ctl")]
    public static partial int EncoderCtlGet(nint encoder, int request, int* value);

    [LibraryImport(Library, EntryPoint = "opus_decoder_create")]
    public static partial nint DecoderCreate(int sampleRate, int channels, int* error);

    [LibraryImport(Library, EntryPoint = "opus_decoder_destroy")]
    public static partial void DecoderDestroy(nint decoder);

    [LibraryImport(Library, EntryPoint = "opus_decode")]
    public static partial int Decode(nint decoder, byte* data, int length, short* pcm, int frameSize, int decodeFec);

    /// <summary>Managed view of <c>opus_packet_parse</c>: count (or negative error), TOC, frame offsets and sizes, payload offset.</summary>
    public static int Parse(ReadOnlySpan<byte> packet, out byte toc, int[] offsets, short[] sizes, out int payloadOffset)
    {
        byte t = 0;
        int payload = 0;
        byte** frames = stackalloc byte*[48];
        short* s = stackalloc short[48];
        int count;
        fixed (byte* data = packet)
        {
            count = PacketParse(data, packet.Length, &t, frames, s, &payload);
            for (int i = 0; i < count; i++)
            {
                offsets[i] = (int)(frames[i] - data);
                sizes[i] = s[i];
            }
        }

        toc = t;
        payloadOffset = payload;
        return count;
    }
}
