using System.Buffers.Binary;

namespace RtcStack.Srtp;

/// <summary>
/// An SRTP/SRTCP cryptographic context for one master key and salt (RFC 3711 §3.2): the session
/// keys derived from them (§4.3) and per-SSRC stream state, kept separately for the streams this
/// side protects (outbound) and unprotects (inbound). With DTLS-SRTP each direction has its own
/// master key, so a peer uses two contexts; <see cref="SrtpSession"/> pairs them.
/// </summary>
/// <remarks>
/// Every call works on the caller's buffer and allocates nothing once a stream exists. A call that
/// does not return <see cref="SrtpStatus.Ok"/> changes neither the caller's bytes (for in-place
/// unprotect) nor any stream state: the ROC, s_l and replay windows move only after a packet
/// authenticated (RFC 3711 §3.3, steps 5 and 6). Not thread-safe: one context belongs to one
/// driver loop, as every sans-IO object in RtcStack.
/// </remarks>
public sealed partial class SrtpContext : IDisposable
{
    /// <summary>RFC 3711 §9.2: at most 2^48 SRTP packets under one master key.</summary>
    public const long MaxSrtpPackets = 1L << 48;

    /// <summary>RFC 3711 §9.2: at most 2^31 SRTCP packets under one master key.</summary>
    public const long MaxSrtcpPackets = 1L << 31;

    private const ulong MaxIndex = (1UL << 48) - 1;
    private const uint MaxSrtcpIndex = 0x7FFF_FFFF;

    private readonly SrtpCipher _cipher;
    private readonly SrtpMetrics _metrics;
    private readonly Dictionary<uint, SrtpStream> _outbound = [];
    private readonly Dictionary<uint, SrtpStream> _inbound = [];
    private readonly int _windowSize;
    private readonly bool _strict;
    private readonly bool _encryptRtcp;
    private readonly bool _cryptex;
    private SrtpStream? _lastOutbound;
    private SrtpStream? _lastInbound;
    private bool _disposed;

    /// <summary>Creates a context from a master key and master salt (RFC 3711 §4.3, key derivation rate 0).</summary>
    /// <param name="profile">The protection profile.</param>
    /// <param name="masterKey">The master key: <see cref="SrtpProfileExtensions.MasterKeyLength"/> bytes.</param>
    /// <param name="masterSalt">The master salt: <see cref="SrtpProfileExtensions.MasterSaltLength"/> bytes.</param>
    /// <param name="options">Replay window, SSRC strictness and metrics; null for the defaults.</param>
    /// <exception cref="ArgumentException">The profile is unknown or a length does not match it.</exception>
    public SrtpContext(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, SrtpOptions? options = null)
        : this(profile, CreateCipher(profile, masterKey, masterSalt, options), options)
    {
    }

    internal SrtpContext(SrtpProfile profile, SrtpCipher cipher, SrtpOptions? options)
    {
        options ??= new SrtpOptions();
        Profile = profile;
        _cipher = cipher;
        _windowSize = options.ReplayWindowSize;
        _strict = options.StrictSsrc;
        _encryptRtcp = options.EncryptRtcp && cipher.EncryptsRtcp;
        _cryptex = options.Cryptex && cipher.EncryptsRtcp;
        _metrics = SrtpMetrics.Create(options.MeterFactory);
    }

    /// <summary>Gets the protection profile.</summary>
    public SrtpProfile Profile { get; }

    /// <summary>Gets the bytes <see cref="ProtectRtp(Span{byte}, int, out int)"/> appends: the SRTP tag (RFC 3711 §3.1).</summary>
    public int RtpOverhead => _cipher.RtpTagLength;

    /// <summary>Gets the bytes <see cref="ProtectRtcp(Span{byte}, int, out int)"/> appends: the E‖index word and the tag (RFC 3711 §3.4).</summary>
    public int RtcpOverhead => _cipher.RtcpTagLength + 4;

    /// <summary>Gets the replay window size in packets.</summary>
    public int ReplayWindowSize => _windowSize;

    /// <summary>Gets the number of SRTP packets protected under this master key.</summary>
    public long SrtpPacketsProtected { get; internal set; }

    /// <summary>Gets the number of SRTCP packets protected under this master key.</summary>
    public long SrtcpPacketsProtected { get; internal set; }

    /// <summary>Gets a value indicating whether AES-NI/PCLMULQDQ code paths are in use (false on CPUs without them).</summary>
    public bool UsesHardwareIntrinsics => _cipher.UsesIntrinsics;

    /// <summary>Gets the HMAC-SHA1 the profile authenticates with: libcrypto's SHA-1 on Linux where it loads, else managed (see <see cref="SrtpHmacImplementation"/>).</summary>
    public SrtpHmacImplementation HmacImplementation => _cipher.HmacImplementation;

    /// <summary>Adds (or keeps) a stream for <paramref name="ssrc"/>. Needed for inbound SSRCs when <see cref="SrtpOptions.StrictSsrc"/> is set.</summary>
    /// <param name="direction">Outbound (protect) or inbound (unprotect).</param>
    /// <param name="ssrc">The SSRC.</param>
    /// <param name="roc">The rollover counter of the first packet to come (RFC 3711 §3.3.1), for streams joined mid-way.</param>
    public void AddStream(SrtpDirection direction, uint ssrc, uint roc = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Dictionary<uint, SrtpStream> table = Table(direction);
        if (!table.TryGetValue(ssrc, out SrtpStream? stream))
        {
            stream = new SrtpStream(ssrc, _windowSize, direction == SrtpDirection.Inbound) { HighestIndex = (ulong)roc << 16 };
            table.Add(ssrc, stream);
        }
    }

    /// <summary>Removes a stream and its state (e.g. on an RTCP BYE).</summary>
    public bool RemoveStream(SrtpDirection direction, uint ssrc)
    {
        if (direction == SrtpDirection.Outbound && _lastOutbound?.Ssrc == ssrc)
        {
            _lastOutbound = null;
        }
        else if (direction == SrtpDirection.Inbound && _lastInbound?.Ssrc == ssrc)
        {
            _lastInbound = null;
        }

        return Table(direction).Remove(ssrc);
    }

    /// <summary>Gets the number of streams in one direction.</summary>
    public int GetStreamCount(SrtpDirection direction) => Table(direction).Count;

    /// <summary>Gets the rollover counter of a stream (RFC 3711 §3.2.1).</summary>
    public bool TryGetRoc(SrtpDirection direction, uint ssrc, out uint roc)
    {
        if (Table(direction).TryGetValue(ssrc, out SrtpStream? stream))
        {
            roc = stream.Roc;
            return true;
        }

        roc = 0;
        return false;
    }

    /// <summary>
    /// Sets the rollover counter of a stream, creating it if needed (RFC 3711 §3.3.1: a receiver
    /// joining mid-session learns the ROC out of band). For an inbound stream the replay window
    /// restarts, since its indices belonged to the old ROC.
    /// </summary>
    public void SetRoc(SrtpDirection direction, uint ssrc, uint roc)
    {
        AddStream(direction, ssrc, roc);
        SrtpStream stream = Table(direction)[ssrc];
        stream.HighestIndex = ((ulong)roc << 16) | (stream.HighestIndex & 0xFFFF);
        stream.RtpWindow?.Reset(stream.HighestIndex, stream.RtpStarted);
    }

    /// <summary>Sets the next SRTCP index an outbound stream will send (RFC 3711 §3.4; 0 for a new stream), creating the stream if needed.</summary>
    public void SetNextSrtcpIndex(uint ssrc, uint index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, MaxSrtcpIndex);
        AddStream(SrtpDirection.Outbound, ssrc);
        _outbound[ssrc].NextRtcpIndex = index;
    }

    /// <summary>Gets a snapshot of one stream's counters.</summary>
    public bool TryGetStatistics(SrtpDirection direction, uint ssrc, out SrtpStreamStatistics statistics)
    {
        if (Table(direction).TryGetValue(ssrc, out SrtpStream? s))
        {
            statistics = new SrtpStreamStatistics(s.Ssrc, s.Roc, (ushort)s.HighestIndex, s.RtpPackets, s.RtpBytes, s.RtcpPackets, s.AuthenticationFailures, s.ReplaysRejected);
            return true;
        }

        statistics = default;
        return false;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _cipher.Dispose();
        }
    }

    private static SrtpCipher CreateCipher(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, SrtpOptions? options)
    {
        if (!profile.IsDefined())
        {
            throw new ArgumentException($"unknown SRTP profile {profile}", nameof(profile));
        }

        if (masterKey.Length != profile.MasterKeyLength())
        {
            throw new ArgumentException($"{profile.SdesName()} needs a {profile.MasterKeyLength()}-byte master key, got {masterKey.Length}", nameof(masterKey));
        }

        if (masterSalt.Length != profile.MasterSaltLength())
        {
            throw new ArgumentException($"{profile.SdesName()} needs a {profile.MasterSaltLength()}-byte master salt, got {masterSalt.Length}", nameof(masterSalt));
        }

        return SrtpCipher.Create(profile, masterKey, masterSalt, allowIntrinsics: !(options?.ForcePortableCrypto ?? false), options?.ForceHmacPath);
    }

    private Dictionary<uint, SrtpStream> Table(SrtpDirection direction) => direction == SrtpDirection.Outbound ? _outbound : _inbound;

    private SrtpStream GetOrCreateOutbound(uint ssrc)
    {
        SrtpStream? s = _lastOutbound;
        if (s is not null && s.Ssrc == ssrc)
        {
            return s;
        }

        if (!_outbound.TryGetValue(ssrc, out s))
        {
            s = new SrtpStream(ssrc, _windowSize, inbound: false);
            _outbound.Add(ssrc, s);
        }

        _lastOutbound = s;
        return s;
    }

    private SrtpStream? FindInbound(uint ssrc)
    {
        SrtpStream? s = _lastInbound;
        if (s is not null && s.Ssrc == ssrc)
        {
            return s;
        }

        if (_inbound.TryGetValue(ssrc, out s))
        {
            _lastInbound = s;
        }

        return s;
    }

    private static uint ReadSsrcRtp(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);

    private static uint ReadSsrcRtcp(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
}
