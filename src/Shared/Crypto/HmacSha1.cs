using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace RtcStack.Crypto;

/// <summary>Which SHA-1 an <see cref="HmacSha1"/> runs on.</summary>
internal enum HmacSha1Path
{
    /// <summary>Our managed SHA-1 compression only (the portable path).</summary>
    Managed,

    /// <summary>Managed for short messages, a reused <see cref="IncrementalHash"/> (the platform's HMAC) from <see cref="HmacSha1.DefaultNativeThreshold"/> bytes.</summary>
    ManagedAndIncrementalHash,

    /// <summary>libcrypto's SHA1_Update/SHA1_Final from pad states computed once per key (<see cref="LibcryptoSha1"/>).</summary>
    Libcrypto,
}

/// <summary>
/// HMAC-SHA1 (RFC 2104) for one fixed key, on one of three SHA-1s (<see cref="HmacSha1Path"/>).
/// Every path hashes the inner and outer pad blocks once, at construction, so a packet costs only
/// its own blocks plus one outer block. On the libcrypto path the two pad states are SHA_CTX
/// structures in native memory; a packet copies each to the stack and hashes on the copy with
/// SHA1_Update (whole blocks, then the padded tail: <see cref="LibcryptoSha1.FinishPadded"/>), three
/// calls in all, with no EVP, HMAC_Init or SHA1_Final per packet and no allocation. The message is a span
/// plus a short suffix (SRTP appends the 4-byte ROC, RFC 3711 §4.2). Tested on every path with
/// RFC 2202 vectors, against System.Security.Cryptography.HMACSHA1, and through SRTP against libsrtp.
/// </summary>
internal sealed unsafe class HmacSha1 : IDisposable
{
    public const int DigestSize = Sha1.DigestSize;

    /// <summary>On <see cref="HmacSha1Path.ManagedAndIncrementalHash"/>, messages (with suffix) at least this long use <see cref="IncrementalHash"/>.</summary>
    public const int DefaultNativeThreshold = 384;

    // Longest suffix LibcryptoSha1.FinishPadded takes; longer ones go through SHA1_Update/SHA1_Final.
    private const int MaxSuffix = (2 * Sha1.BlockSize) - 9;

    private readonly Sha1.State _inner;
    private readonly Sha1.State _outer;
    private readonly IncrementalHash? _native;
    private readonly int _nativeThreshold;

    // Libcrypto path: the inner and outer SHA_CTX after their pad blocks, side by side.
    private byte* _contexts;

    /// <summary>The managed path, with <see cref="IncrementalHash"/> from <paramref name="nativeThreshold"/> bytes.</summary>
    /// <param name="key">The HMAC key.</param>
    /// <param name="nativeThreshold">Message length from which the native HMAC is used; int.MaxValue never uses it, 0 always.</param>
    public HmacSha1(ReadOnlySpan<byte> key, int nativeThreshold = DefaultNativeThreshold)
        : this(key, nativeThreshold == int.MaxValue ? HmacSha1Path.Managed : HmacSha1Path.ManagedAndIncrementalHash, nativeThreshold)
    {
    }

    /// <summary>HMAC on <paramref name="path"/>; <see cref="HmacSha1Path.Libcrypto"/> needs <see cref="LibcryptoSha1.IsAvailable"/>.</summary>
    public HmacSha1(ReadOnlySpan<byte> key, HmacSha1Path path)
        : this(key, path, DefaultNativeThreshold)
    {
    }

    private HmacSha1(ReadOnlySpan<byte> key, HmacSha1Path path, int nativeThreshold)
    {
        if (path == HmacSha1Path.Libcrypto && !LibcryptoSha1.IsAvailable)
        {
            throw new PlatformNotSupportedException("libcrypto's SHA-1 is not available: " + LibcryptoSha1.Status);
        }

        Path = path;
        _nativeThreshold = nativeThreshold;
        if (path == HmacSha1Path.ManagedAndIncrementalHash)
        {
            _native = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
        }

        Span<byte> k = stackalloc byte[Sha1.BlockSize];
        k.Clear();
        if (key.Length > Sha1.BlockSize)
        {
            SHA1.HashData(key, k);
        }
        else
        {
            key.CopyTo(k);
        }

        Span<byte> innerPad = stackalloc byte[Sha1.BlockSize];
        Span<byte> outerPad = stackalloc byte[Sha1.BlockSize];
        for (int i = 0; i < Sha1.BlockSize; i++)
        {
            innerPad[i] = (byte)(k[i] ^ 0x36);
            outerPad[i] = (byte)(k[i] ^ 0x5C);
        }

        _inner = Sha1.Initial;
        Sha1.Compress(ref _inner, innerPad);
        _outer = Sha1.Initial;
        Sha1.Compress(ref _outer, outerPad);
        if (path == HmacSha1Path.Libcrypto)
        {
            _contexts = (byte*)NativeMemory.AlignedAlloc(2 * LibcryptoSha1.ContextSize, 64);
            new Span<byte>(_contexts, 2 * LibcryptoSha1.ContextSize).Clear();
            LibcryptoSha1.Init(_contexts);
            LibcryptoSha1.Update(_contexts, innerPad);
            LibcryptoSha1.Init(_contexts + LibcryptoSha1.ContextSize);
            LibcryptoSha1.Update(_contexts + LibcryptoSha1.ContextSize, outerPad);
        }

        CryptographicOperations.ZeroMemory(k);
        CryptographicOperations.ZeroMemory(innerPad);
        CryptographicOperations.ZeroMemory(outerPad);
    }

    ~HmacSha1() => FreeContexts();

    /// <summary>Gets the SHA-1 this instance runs on.</summary>
    public HmacSha1Path Path { get; }

    /// <summary>The path SRTP uses: libcrypto where it loaded, else managed with <see cref="IncrementalHash"/>; managed only when intrinsics are not allowed.</summary>
    public static HmacSha1Path DefaultPath(bool allowIntrinsics) =>
        !allowIntrinsics ? HmacSha1Path.Managed
        : LibcryptoSha1.IsAvailable ? HmacSha1Path.Libcrypto
        : HmacSha1Path.ManagedAndIncrementalHash;

    /// <summary>Computes HMAC(key, message ‖ suffix) into the first 20 bytes of <paramref name="mac"/>.</summary>
    [SkipLocalsInit]
    public void Compute(ReadOnlySpan<byte> message, ReadOnlySpan<byte> suffix, Span<byte> mac)
    {
        if (Path == HmacSha1Path.Libcrypto)
        {
            ComputeLibcrypto(message, suffix, mac);
            return;
        }

        if (_native is not null && message.Length + suffix.Length >= _nativeThreshold)
        {
            _native.AppendData(message);
            if (!suffix.IsEmpty)
            {
                _native.AppendData(suffix);
            }

            _native.GetHashAndReset(mac[..DigestSize]);
            return;
        }

        Span<byte> innerDigest = stackalloc byte[DigestSize];
        Sha1.Finish(_inner, Sha1.BlockSize, message, suffix, innerDigest);
        Sha1.Finish(_outer, Sha1.BlockSize, innerDigest, default, mac);
    }

    /// <summary>
    /// One-shot HMAC(key, message ‖ suffix), allocating nothing, on libcrypto's SHA-1 where it loaded, else on the managed
    /// one: for a key used once (a STUN message checked with a raw key). It hashes the two pad blocks each call, which a
    /// kept instance does once.
    /// </summary>
    /// <param name="key">The HMAC key.</param>
    /// <param name="message">The message's first part.</param>
    /// <param name="suffix">The message's second part (any length).</param>
    /// <param name="mac">At least 20 bytes for the MAC.</param>
    /// <param name="allowLibcrypto">False to run the managed SHA-1 even where libcrypto loaded (tests).</param>
    [SkipLocalsInit]
    public static void ComputeOnce(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> suffix, Span<byte> mac, bool allowLibcrypto = true)
    {
        if (mac.Length < DigestSize)
        {
            throw new ArgumentException("the MAC needs 20 bytes", nameof(mac));
        }

        Span<byte> pad = stackalloc byte[Sha1.BlockSize];
        pad.Clear();
        if (key.Length > Sha1.BlockSize)
        {
            SHA1.HashData(key, pad); // RFC 2104 §2: a key longer than a block is hashed first
        }
        else
        {
            key.CopyTo(pad);
        }

        Span<byte> innerDigest = stackalloc byte[DigestSize];
        XorPad(pad, 0x36);
        if (allowLibcrypto && LibcryptoSha1.IsAvailable)
        {
            // libcrypto's SHA-1 (SHA extensions where the CPU has them): eight calls, no allocation.
            byte* ctx = stackalloc byte[LibcryptoSha1.ContextSize];
            fixed (byte* innerOut = innerDigest)
            fixed (byte* m = mac)
            {
                LibcryptoSha1.Init(ctx);
                LibcryptoSha1.Update(ctx, pad);
                LibcryptoSha1.Update(ctx, message);
                LibcryptoSha1.Update(ctx, suffix);
                LibcryptoSha1.Final(ctx, innerOut);
                XorPad(pad, 0x36 ^ 0x5C);
                LibcryptoSha1.Init(ctx);
                LibcryptoSha1.Update(ctx, pad);
                LibcryptoSha1.Update(ctx, innerDigest);
                LibcryptoSha1.Final(ctx, m);
            }

            CryptographicOperations.ZeroMemory(pad);
            new Span<byte>(ctx, LibcryptoSha1.ContextSize).Clear();
            return;
        }

        Sha1.State inner = Sha1.Initial;
        Sha1.Compress(ref inner, pad);
        XorPad(pad, 0x36 ^ 0x5C);
        Sha1.State outer = Sha1.Initial;
        Sha1.Compress(ref outer, pad);
        CryptographicOperations.ZeroMemory(pad);
        Sha1.Finish(inner, Sha1.BlockSize, message, suffix, innerDigest);
        Sha1.Finish(outer, Sha1.BlockSize, innerDigest, default, mac);

        static void XorPad(Span<byte> pad, byte value)
        {
            for (int i = 0; i < pad.Length; i++)
            {
                pad[i] ^= value;
            }
        }
    }

    public void Dispose()
    {
        _native?.Dispose();
        FreeContexts();
        GC.SuppressFinalize(this);
    }

    [SkipLocalsInit]
    private void ComputeLibcrypto(ReadOnlySpan<byte> message, ReadOnlySpan<byte> suffix, Span<byte> mac)
    {
        ObjectDisposedException.ThrowIf(_contexts is null, this);
        if (mac.Length < DigestSize)
        {
            throw new ArgumentException("the MAC needs 20 bytes", nameof(mac));
        }

        // Inner: a copy of the inner pad state, the message, the ROC and the padding. Outer: a copy of
        // the outer pad state and one block (inner digest, padding). RFC 2104 §2.
        byte* ctx = stackalloc byte[LibcryptoSha1.ContextSize];
        byte* innerDigest = stackalloc byte[DigestSize];
        Buffer.MemoryCopy(_contexts, ctx, LibcryptoSha1.ContextSize, LibcryptoSha1.ContextSize);
        if (suffix.Length <= MaxSuffix)
        {
            LibcryptoSha1.FinishPadded(ctx, Sha1.BlockSize, message, suffix, innerDigest);
        }
        else
        {
            LibcryptoSha1.Update(ctx, message);
            LibcryptoSha1.Update(ctx, suffix);
            LibcryptoSha1.Final(ctx, innerDigest);
        }

        Buffer.MemoryCopy(_contexts + LibcryptoSha1.ContextSize, ctx, LibcryptoSha1.ContextSize, LibcryptoSha1.ContextSize);
        fixed (byte* m = mac)
        {
            LibcryptoSha1.FinishPadded(ctx, Sha1.BlockSize, new ReadOnlySpan<byte>(innerDigest, DigestSize), default, m);
        }
    }

    private void FreeContexts()
    {
        if (_contexts is not null)
        {
            new Span<byte>(_contexts, 2 * LibcryptoSha1.ContextSize).Clear();
            NativeMemory.AlignedFree(_contexts);
            _contexts = null;
        }
    }
}
