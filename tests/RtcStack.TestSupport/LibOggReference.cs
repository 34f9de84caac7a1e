using System.Runtime.InteropServices;

namespace RtcStack.TestSupport;

/// <summary>
/// Raw libogg 1.3 (Debian libogg0, libogg.so.0) entry points: the reference Ogg implementation for
/// benchmarks of page writing and reading. Struct layouts are those of ogg.h on LP64 (x86-64,
/// arm64 Linux); state structs are treated as opaque blocks.
/// </summary>
public static unsafe partial class LibOggReference
{
    /// <summary>The library file name.</summary>
    public const string Library = "libogg.so.0";

    /// <summary>Size reserved for an ogg_stream_state (408 bytes on LP64) or ogg_sync_state (32).</summary>
    public const int StateSize = 1024;

    /// <summary>Throws with the Debian package name when libogg cannot be loaded.</summary>
    public static void Require() => ExternalTool.RequireLibrary("libogg0", Library);

    /// <summary>ogg_packet (ogg.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OggPacket
    {
        public byte* Packet;
        public nint Bytes;
        public nint BeginningOfStream;
        public nint EndOfStream;
        public long GranulePosition;
        public long PacketNumber;
    }

    /// <summary>ogg_page (ogg.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OggPage
    {
        public byte* Header;
        public nint HeaderLength;
        public byte* Body;
        public nint BodyLength;
    }

    [LibraryImport(Library, EntryPoint = "ogg_stream_init")]
    public static partial int StreamInit(void* state, int serialNumber);

    [LibraryImport(Library, EntryPoint = "ogg_stream_reset")]
    public static partial int StreamReset(void* state);

    [LibraryImport(Library, EntryPoint = "ogg_stream_clear")]
    public static partial int StreamClear(void* state);

    [LibraryImport(Library, EntryPoint = "ogg_stream_packetin")]
    public static partial int StreamPacketIn(void* state, OggPacket* packet);

    [LibraryImport(Library, EntryPoint = "ogg_stream_flush")]
    public static partial int StreamFlush(void* state, OggPage* page);

    /// <summary>ogg_stream_flush_fill: like flush, but with a page body target of <paramref name="fill"/> bytes (plain flush stops near 4 KB).</summary>
    [LibraryImport(Library, EntryPoint = "ogg_stream_flush_fill")]
    public static partial int StreamFlushFill(void* state, OggPage* page, int fill);

    [LibraryImport(Library, EntryPoint = "ogg_stream_pagein")]
    public static partial int StreamPageIn(void* state, OggPage* page);

    [LibraryImport(Library, EntryPoint = "ogg_stream_packetout")]
    public static partial int StreamPacketOut(void* state, OggPacket* packet);

    [LibraryImport(Library, EntryPoint = "ogg_sync_init")]
    public static partial int SyncInit(void* state);

    [LibraryImport(Library, EntryPoint = "ogg_sync_clear")]
    public static partial int SyncClear(void* state);

    [LibraryImport(Library, EntryPoint = "ogg_sync_reset")]
    public static partial int SyncReset(void* state);

    [LibraryImport(Library, EntryPoint = "ogg_sync_buffer")]
    public static partial byte* SyncBuffer(void* state, nint size);

    [LibraryImport(Library, EntryPoint = "ogg_sync_wrote")]
    public static partial int SyncWrote(void* state, nint bytes);

    [LibraryImport(Library, EntryPoint = "ogg_sync_pageout")]
    public static partial int SyncPageOut(void* state, OggPage* page);
}
