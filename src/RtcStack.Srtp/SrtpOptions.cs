using System.Diagnostics.Metrics;

namespace RtcStack.Srtp;

/// <summary>Settings of an <see cref="SrtpContext"/>.</summary>
public sealed class SrtpOptions
{
    /// <summary>The smallest replay window RFC 3711 §3.3.2 allows (64).</summary>
    public const int MinimumReplayWindowSize = 64;

    /// <summary>The default replay window (1024 packets, as browsers use; libsrtp defaults to 128).</summary>
    public const int DefaultReplayWindowSize = 1024;

    private int _replayWindowSize = DefaultReplayWindowSize;

    /// <summary>Gets or sets the replay window size in packets (RFC 3711 §3.3.2: at least 64). Applies to SRTP and SRTCP.</summary>
    public int ReplayWindowSize
    {
        get => _replayWindowSize;
        set
        {
            if (value < MinimumReplayWindowSize || value > 1 << 20)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "replay window must be between 64 and 2^20 packets (RFC 3711 §3.3.2)");
            }

            _replayWindowSize = value;
        }
    }

    /// <summary>
    /// Gets or sets a value indicating whether unprotect refuses SSRCs that were not added with
    /// <see cref="SrtpContext.AddStream"/> (status <see cref="SrtpStatus.UnknownSsrc"/>). When false
    /// (the default) an inbound stream is created by its first authenticated packet.
    /// </summary>
    public bool StrictSsrc { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether protected SRTCP is encrypted (E = 1, the default).
    /// When false, SRTCP is sent authenticated only with E = 0 (RFC 3711 §3.4, RFC 7714 §9.2).
    /// The NULL profiles always send E = 0.
    /// </summary>
    public bool EncryptRtcp { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether RFC 9335 cryptex is in use (negotiated with
    /// a=cryptex): protect encrypts CSRCs and RFC 8285 header extensions (0xBEDE becomes 0xC0DE,
    /// 0x100X becomes 0xC2DE; a packet with CSRCs and no extension gets an empty 0xC0DE one, so the
    /// buffer needs 4 more spare bytes), and unprotect decrypts packets marked 0xC0DE/0xC2DE and
    /// restores 0xBEDE/0x1000. When false, packets are processed as RFC 3711 says.
    /// </summary>
    public bool Cryptex { get; set; }

    /// <summary>Gets or sets the meter factory for the "RtcStack.Srtp" counters; null uses a shared meter.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Gets or sets a value indicating whether the portable (non-intrinsic) crypto is forced; for tests and comparisons.</summary>
    internal bool ForcePortableCrypto { get; set; }

    /// <summary>Gets or sets the HMAC-SHA1 path to use instead of the default one; for tests and comparisons.</summary>
    internal RtcStack.Crypto.HmacSha1Path? ForceHmacPath { get; set; }
}
