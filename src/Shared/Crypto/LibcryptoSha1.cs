using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RtcStack.Crypto;

/// <summary>
/// OpenSSL's low-level SHA-1 (SHA1_Init, SHA1_Update, SHA1_Final on a SHA_CTX) through function
/// pointers into libcrypto, which uses the CPU's SHA extensions where present (.NET has no SHA
/// intrinsics). Loaded once, on Linux and FreeBSD only (macOS ships a libcrypto that aborts when
/// loaded by name, Windows has none), and only if a self-test against our managed SHA-1 passes;
/// otherwise <see cref="IsAvailable"/> is false and callers keep the managed path. The calls
/// suppress the GC transition: each is bounded (updates are fed in chunks of at most
/// <see cref="MaxChunk"/> bytes) and none calls back or blocks.
/// </summary>
internal static unsafe class LibcryptoSha1
{
    /// <summary>Bytes reserved per SHA_CTX: OpenSSL 1.1 and 3 use 96 (h0..h4, Nl, Nh, data[16], num); rounded up.</summary>
    public const int ContextSize = 128;

    /// <summary>Longest span passed to one SHA1_Update (about 2 µs without SHA extensions), so a GC never waits long on a suppressed transition.</summary>
    public const int MaxChunk = 4096;

    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<void*, int> s_init;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<void*, byte*, nuint, int> s_update;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, void*, int> s_final;

#pragma warning disable CA1810 // The loads and the self-test belong together, once, in order.
    static LibcryptoSha1()
    {
        if (Environment.GetEnvironmentVariable("RTCSTACK_SRTP_NO_LIBCRYPTO") is "1" or "true")
        {
            Status = "disabled by RTCSTACK_SRTP_NO_LIBCRYPTO";
            return;
        }

        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsFreeBSD())
        {
            Status = "not tried on this OS";
            return;
        }

        foreach (string name in new[] { "libcrypto.so.3", "libcrypto.so.1.1" })
        {
            if (!NativeLibrary.TryLoad(name, out IntPtr handle))
            {
                continue;
            }

            if (NativeLibrary.TryGetExport(handle, "SHA1_Init", out IntPtr init)
                && NativeLibrary.TryGetExport(handle, "SHA1_Update", out IntPtr update)
                && NativeLibrary.TryGetExport(handle, "SHA1_Final", out IntPtr final))
            {
                s_init = (delegate* unmanaged[Cdecl, SuppressGCTransition]<void*, int>)init;
                s_update = (delegate* unmanaged[Cdecl, SuppressGCTransition]<void*, byte*, nuint, int>)update;
                s_final = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, void*, int>)final;
                if (SelfTest())
                {
                    IsAvailable = true;
                    Status = name;
                    return;
                }

                Status = name + " failed the SHA-1 self-test";
                s_init = null;
                s_update = null;
                s_final = null;
                return;
            }
        }

        Status ??= "libcrypto not found";
    }
#pragma warning restore CA1810

    /// <summary>Gets a value indicating whether libcrypto's SHA-1 loaded and passed the self-test.</summary>
    public static bool IsAvailable { get; }

    /// <summary>Gets the library in use, or why none is.</summary>
    public static string Status { get; } = null!;

    /// <summary>SHA1_Init on <paramref name="ctx"/> (<see cref="ContextSize"/> bytes).</summary>
    public static void Init(void* ctx)
    {
        if (s_init(ctx) != 1)
        {
            throw new InvalidOperationException("SHA1_Init failed");
        }
    }

    /// <summary>SHA1_Update in chunks of at most <see cref="MaxChunk"/> bytes.</summary>
    public static void Update(void* ctx, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int offset = 0;
            while (data.Length - offset > MaxChunk)
            {
                _ = s_update(ctx, p + offset, MaxChunk);
                offset += MaxChunk;
            }

            if (data.Length > offset)
            {
                _ = s_update(ctx, p + offset, (nuint)(data.Length - offset));
            }
        }
    }

    /// <summary>SHA1_Update of a short span known to be at most <see cref="MaxChunk"/> bytes.</summary>
    public static void UpdateShort(void* ctx, byte* data, int length) => _ = s_update(ctx, data, (nuint)length);

    /// <summary>SHA1_Final into 20 bytes at <paramref name="digest"/>.</summary>
    public static void Final(void* ctx, byte* digest) => _ = s_final(digest, ctx);

    /// <summary>
    /// Hashes <paramref name="data"/> ‖ <paramref name="suffix"/> on <paramref name="ctx"/>, a SHA_CTX at a
    /// block boundary into which <paramref name="prefixLength"/> bytes were already hashed, and writes the
    /// digest: the whole blocks of data in one SHA1_Update, then the tail, suffix and padding (built here,
    /// FIPS 180-4 §5.1.1) as one or two more blocks in a second, and the digest read from h0..h4 (the
    /// first five words of OpenSSL's SHA_CTX), so no SHA1_Final and no buffering inside libcrypto. The
    /// suffix is at most 119 bytes (SRTP's is the 4-byte ROC). Checked by the self-test when loaded.
    /// </summary>
    [SkipLocalsInit]
    public static void FinishPadded(void* ctx, long prefixLength, ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix, byte* digest)
    {
        if (suffix.Length > (2 * Sha1.BlockSize) - 9)
        {
            throw new ArgumentException("suffix too long", nameof(suffix));
        }

        int whole = data.Length & ~(Sha1.BlockSize - 1);
        if (whole > 0)
        {
            Update(ctx, data[..whole]);
        }

        byte* tail = stackalloc byte[3 * Sha1.BlockSize];
        int rest = data.Length - whole;
        int used = rest + suffix.Length;
        int padded = (used + 9 + Sha1.BlockSize - 1) & ~(Sha1.BlockSize - 1);
        var tailSpan = new Span<byte>(tail, padded);
        data[whole..].CopyTo(tailSpan);
        suffix.CopyTo(tailSpan[rest..]);
        tailSpan[used] = 0x80;
        tailSpan[(used + 1)..(padded - 8)].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(tailSpan[(padded - 8)..], (ulong)(prefixLength + data.Length + suffix.Length) * 8);
        _ = s_update(ctx, tail, (nuint)padded);
        uint* h = (uint*)ctx;
        var output = new Span<byte>(digest, Sha1.DigestSize);
        BinaryPrimitives.WriteUInt32BigEndian(output, h[0]);
        BinaryPrimitives.WriteUInt32BigEndian(output[4..], h[1]);
        BinaryPrimitives.WriteUInt32BigEndian(output[8..], h[2]);
        BinaryPrimitives.WriteUInt32BigEndian(output[12..], h[3]);
        BinaryPrimitives.WriteUInt32BigEndian(output[16..], h[4]);
    }

    private static bool SelfTest()
    {
        // SHA-1 of 0..199 (four blocks, so both the block function and the padding run) through
        // SHA1_Update/SHA1_Final and through FinishPadded (which reads h0..h4 from the SHA_CTX), for
        // lengths around the block and padding boundaries, against our managed SHA-1.
        byte* ctx = stackalloc byte[ContextSize];
        Span<byte> data = stackalloc byte[200];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)i;
        }

        byte* digest = stackalloc byte[Sha1.DigestSize];
        Span<byte> expected = stackalloc byte[Sha1.DigestSize];
        try
        {
            if (s_init(ctx) != 1)
            {
                return false;
            }

            fixed (byte* p = data)
            {
                _ = s_update(ctx, p, 7);
                _ = s_update(ctx, p + 7, 193);
            }

            _ = s_final(digest, ctx);
            Sha1.Finish(Sha1.Initial, 0, data, default, expected);
            if (!expected.SequenceEqual(new ReadOnlySpan<byte>(digest, Sha1.DigestSize)))
            {
                return false;
            }

            foreach (int length in new[] { 0, 51, 52, 55, 56, 64, 115, 116, 128, 196 })
            {
                if (s_init(ctx) != 1)
                {
                    return false;
                }

                FinishPadded(ctx, 0, data[..length], data[196..], digest);
                Sha1.Finish(Sha1.Initial, 0, data[..length], data[196..], expected);
                if (!expected.SequenceEqual(new ReadOnlySpan<byte>(digest, Sha1.DigestSize)))
                {
                    return false;
                }
            }
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }

        return true;
    }
}
