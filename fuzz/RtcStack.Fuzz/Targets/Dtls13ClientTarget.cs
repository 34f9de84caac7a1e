using RtcStack.Dtls;
using RtcStack.Dtls.Crypto;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The DTLS 1.3 client path (RFC 9147 §5, RFC 8446 §4): a fresh client (<see cref="DtlsOptions.MaxVersion"/>
/// = DTLS 1.3) that has sent its ClientHello is fed the input as the server's datagrams: ServerHello
/// or HelloRetryRequest, then the epoch-2 flight (EncryptedExtensions, CertificateRequest,
/// Certificate, CertificateVerify, Finished), ACKs, epoch-3 records (KeyUpdate, application data).
/// The client's random and its X25519 / ML-KEM key material come from a fixed generator
/// (<see cref="DtlsOptions.RandomSource"/>), so a server flight recorded against it (the seeds, made
/// by our own server with <c>--make-seeds</c>) decrypts and verifies and mutations reach every
/// message of the flight, not only the ServerHello. Input layout: one flag byte, then datagrams each
/// prefixed with a 16-bit big-endian length, as for <c>dtls-client</c>. Flag bits 0-1 pick the
/// client's groups (0: X25519MLKEM768, X25519, P-256 with two shares; 1: X25519, P-256; 2: X25519 then
/// X25519MLKEM768, so a server may ask for the hybrid with a HelloRetryRequest; 3 as 0); bit 2 makes the
/// client 1.3-only (<see cref="DtlsOptions.MinVersion"/>), so a 1.2 ServerHello must be refused.
/// </summary>
[FuzzTarget("dtls13-client")]
public sealed class Dtls13ClientTarget : IFuzzTarget, ISeedSource
{
    private static readonly Lazy<DtlsCertificate> s_clientCert = new(() =>
        DtlsCertificate.Generate(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), commonName: "fuzz-client"));

    private static readonly Lazy<DtlsCertificate> s_serverCert = new(() =>
        DtlsCertificate.Generate(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), commonName: "fuzz-server"));

    // The client's keys are the same on every run (CountingRandom), so their generation (an ML-KEM-768 key
    // pair, X25519 public keys) and the shared secrets computed from the same server shares are
    // remembered across runs instead of recomputed: same bytes, same code paths in RtcStack.Dtls, and
    // about twice the executions per second.
    private static readonly KeyMaterialMemo s_keyMemo = new();

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        using DtlsEndpoint client = CreateClient(data[0]);
        client.Start(TimeSpan.Zero);
        while (client.TryPollTransmit(out _))
        {
        }

        DtlsFuzzInput.Feed(client, data[1..]);
    }

    /// <inheritdoc/>
    public IEnumerable<(string Name, byte[] Data)> MakeSeeds()
    {
        // 1.3 with the hybrid share, no cookie: ServerHello, the epoch-2 flight, ACK, epoch-3 data and KeyUpdate.
        yield return ("hybrid-nocookie", RecordSeed(0, o => o.RequireCookie = false));

        // A HelloRetryRequest with only a cookie, then the flight.
        yield return ("hybrid-cookie-hrr", RecordSeed(0, o => o.RequireCookie = true));

        // X25519 only, AES-256-GCM / SHA-384, AES_CM SRTP profile.
        yield return ("x25519-aes256", RecordSeed(1, o =>
        {
            o.RequireCookie = false;
            o.Dtls13CipherSuites.Remove(DtlsCipherSuite.Tls13Aes128GcmSha256);
            o.SrtpProfiles.Clear();
            o.SrtpProfiles.Add(Srtp.SrtpProfile.Aes128CmHmacSha1_80);
        }));

        // A HelloRetryRequest asking for the hybrid share the client did not send first.
        yield return ("x25519-hrr-to-hybrid", RecordSeed(2, o =>
        {
            o.RequireCookie = false;
            o.Dtls13Groups.Clear();
            o.Dtls13Groups.Add(DtlsNamedGroup.X25519MlKem768);
        }));

        // A DTLS 1.2 server: HelloVerifyRequest, then its 1.2 flight (the client offered 1.3 and 1.2).
        byte[] v12 = RecordSeed(1, o => o.MaxVersion = DtlsVersion.Dtls12);
        yield return ("dtls12-server", v12);

        // The same 1.2 flight to a 1.3-only client, which must refuse it with protocol_version.
        byte[] v12Only13 = (byte[])v12.Clone();
        v12Only13[0] |= 4;
        yield return ("dtls12-server-to-13-only", v12Only13);
    }

    /// <summary>Runs <paramref name="data"/> like <see cref="Run"/> and returns the client's final state, negotiated version and failure, if any (for the seed checks).</summary>
    public static (DtlsState State, DtlsVersion Version, DtlsFailedEvent? Failure) RunAndReport(ReadOnlySpan<byte> data)
    {
        using DtlsEndpoint client = CreateClient(data[0]);
        client.Start(TimeSpan.Zero);
        DtlsFailedEvent? failure = null;
        TimeSpan now = TimeSpan.Zero;
        ReadOnlySpan<byte> rest = data[1..];
        while (!rest.IsEmpty && rest.Length >= 2)
        {
            int len = (rest[0] << 8) | rest[1];
            if (len > rest.Length - 2)
            {
                break;
            }

            client.HandleDatagram(rest.Slice(2, len), now);
            rest = rest[(2 + len)..];
            now += TimeSpan.FromMilliseconds(10);
            while (client.TryPollTransmit(out _))
            {
            }

            while (client.TryPollEvent(out DtlsEvent? e))
            {
                failure ??= e as DtlsFailedEvent;
            }
        }

        return (client.State, client.Version, failure);
    }

    /// <summary>
    /// Records seeds: the deterministic client of <paramref name="flags"/> against our own DTLS 1.3
    /// server configured by <paramref name="server"/>, in virtual time without loss; the server's
    /// datagrams, in order, in the input layout. After the handshake the server sends application
    /// data and a KeyUpdate, so that the seed carries epoch-3 records too.
    /// </summary>
    public static byte[] RecordSeed(byte flags, Action<DtlsOptions> server)
    {
        var so = new DtlsOptions
        {
            Certificate = s_serverCert.Value,
            MaxVersion = DtlsVersion.Dtls13,
            CookieSecret = new byte[32],
            AcceptAnyRemoteCertificate = true,
        };
        server(so);
        using DtlsEndpoint c = CreateClient(flags);
        using var s = new DtlsEndpoint(DtlsRole.Server, so);
        var seed = new MemoryStream();
        seed.WriteByte(flags);
        TimeSpan now = TimeSpan.Zero;
        s.Start(now);
        c.Start(now);
        bool sentPostHandshake = false;
        for (int round = 0; round < 32; round++)
        {
            bool moved = false;
            while (c.TryPollTransmit(out ReadOnlyMemory<byte> d))
            {
                s.HandleDatagram(d.Span, now);
                moved = true;
            }

            while (s.TryPollTransmit(out ReadOnlyMemory<byte> d))
            {
                seed.WriteByte((byte)(d.Length >> 8));
                seed.WriteByte((byte)d.Length);
                seed.Write(d.Span);
                c.HandleDatagram(d.Span, now);
                moved = true;
            }

            while (c.TryPollEvent(out _) || s.TryPollEvent(out _))
            {
            }

            if (!moved && c.State == DtlsState.Connected && s.State == DtlsState.Connected && !sentPostHandshake && s.Version == DtlsVersion.Dtls13)
            {
                sentPostHandshake = true;
                s.Send("fuzz"u8);
                s.UpdateKeys(requestPeerUpdate: true);
                moved = true;
            }

            if (!moved)
            {
                break;
            }

            now += TimeSpan.FromMilliseconds(10);
        }

        return seed.ToArray();
    }

    private static DtlsEndpoint CreateClient(byte flags)
    {
        var options = new DtlsOptions
        {
            Certificate = s_clientCert.Value,
            AcceptAnyRemoteCertificate = true,
            MaxVersion = DtlsVersion.Dtls13,
            RandomSource = new CountingRandom().Fill,
            KeyMaterialMemo = s_keyMemo,
        };
        if ((flags & 4) != 0)
        {
            options.MinVersion = DtlsVersion.Dtls13;
        }

        switch (flags & 3)
        {
            case 1:
                options.Dtls13Groups.Remove(DtlsNamedGroup.X25519MlKem768);
                break;
            case 2:
                options.Dtls13Groups.Clear();
                options.Dtls13Groups.Add(DtlsNamedGroup.X25519);
                options.Dtls13Groups.Add(DtlsNamedGroup.X25519MlKem768);
                break;
        }

        return new DtlsEndpoint(DtlsRole.Client, options);
    }

    /// <summary>
    /// <see cref="IKeyMaterialMemo"/> for the fuzz host: a dictionary per kind keyed by the key's bytes
    /// (copied, since the endpoint zeroes its private keys on disposal), cleared when it grows past
    /// <see cref="MaxEntries"/> (mutated server shares each add one). It is static and the test host runs
    /// test classes in parallel (the corpus replay and the target's own tests both drive this target), so
    /// every call holds a lock; the computations never call back into the memo.
    /// </summary>
    private sealed class KeyMaterialMemo : IKeyMaterialMemo
    {
        private const int MaxEntries = 4096;
        private readonly Dictionary<string, Dictionary<byte[], object>> _kinds = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();
        private int _count;

        public T GetOrAdd<T>(string kind, byte[] key, Func<T> compute)
            where T : class
        {
            lock (_gate)
            {
                return GetOrAddLocked(kind, key, compute);
            }
        }

        private T GetOrAddLocked<T>(string kind, byte[] key, Func<T> compute)
            where T : class
        {
            if (!_kinds.TryGetValue(kind, out Dictionary<byte[], object>? entries))
            {
                entries = new Dictionary<byte[], object>(ByteArrayComparer.Instance);
                _kinds.Add(kind, entries);
            }

            if (entries.TryGetValue(key, out object? found))
            {
                return (T)found;
            }

            T value = compute();
            if (_count >= MaxEntries)
            {
                foreach (Dictionary<byte[], object> e in _kinds.Values)
                {
                    e.Clear();
                }

                _count = 0;
            }

            entries.Add((byte[])key.Clone(), value);
            _count++;
            return value;
        }
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }

    /// <summary>A fixed, cheap byte stream (not random at all): the same client on every run.</summary>
    private sealed class CountingRandom
    {
        private uint _state = 0x9E3779B9;

        public void Fill(Span<byte> destination)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                // xorshift32: deterministic and cheap; the keys only need to be the same each run.
                _state ^= _state << 13;
                _state ^= _state >> 17;
                _state ^= _state << 5;
                destination[i] = (byte)_state;
            }
        }
    }
}
