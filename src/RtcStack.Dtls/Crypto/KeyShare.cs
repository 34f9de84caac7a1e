namespace RtcStack.Dtls.Crypto;

/// <summary>
/// RFC 8446 §4.2.8 key shares for DTLS 1.3: the client's ephemeral share of one group and its
/// completion with the server's share; the server's answer to a client share. ECDHE groups use
/// <see cref="KeyExchange"/> (as in 1.2: the X25519 u-coordinate, the uncompressed P-256 point,
/// §4.2.8.2), the hybrid <see cref="X25519MlKem768"/>.
/// </summary>
internal sealed class KeyShare : IDisposable
{
    private readonly KeyExchange? _ecdhe;
    private readonly X25519MlKem768.ClientShare? _hybrid;

    private KeyShare(DtlsNamedGroup group, Action<Span<byte>>? random, IKeyMaterialMemo? memo)
    {
        Group = group;
        if (group == DtlsNamedGroup.X25519MlKem768)
        {
            _hybrid = new X25519MlKem768.ClientShare(random, memo);
        }
        else
        {
            _ecdhe = KeyExchange.Create(group, random, memo);
        }
    }

    public DtlsNamedGroup Group { get; }

    /// <summary>Gets the key_exchange bytes of our KeyShareEntry.</summary>
    public byte[] Share => _hybrid?.Share ?? _ecdhe!.PublicKey;

    public static bool IsSupported(ushort group) =>
        group is (ushort)DtlsNamedGroup.X25519 or (ushort)DtlsNamedGroup.Secp256r1 or (ushort)DtlsNamedGroup.X25519MlKem768;

    /// <summary>Client side: a fresh share of <paramref name="group"/>; <paramref name="random"/> replaces the system generator in tests (<see cref="DtlsOptions.RandomSource"/>), <paramref name="memo"/> then remembers its key computations (<see cref="DtlsOptions.KeyMaterialMemo"/>).</summary>
    public static KeyShare CreateClient(DtlsNamedGroup group, Action<Span<byte>>? random = null, IKeyMaterialMemo? memo = null) => new(group, random, memo);

    /// <summary>Server side: our share and the shared secret for the client's <paramref name="clientShare"/>; false when the share is invalid (illegal_parameter).</summary>
    public static bool TryRespond(DtlsNamedGroup group, ReadOnlySpan<byte> clientShare, out byte[] serverShare, out byte[] sharedSecret)
    {
        if (group == DtlsNamedGroup.X25519MlKem768)
        {
            return X25519MlKem768.TryRespond(clientShare, out serverShare, out sharedSecret);
        }

        using KeyExchange kx = KeyExchange.Create(group);
        serverShare = kx.PublicKey;
        return kx.TryAgree(clientShare, out sharedSecret);
    }

    /// <summary>Client side: the shared secret from the server's share; false when it is invalid.</summary>
    public bool TryComplete(ReadOnlySpan<byte> serverShare, out byte[] sharedSecret) =>
        _hybrid is not null ? _hybrid.TryComplete(serverShare, out sharedSecret) : _ecdhe!.TryAgree(serverShare, out sharedSecret);

    public void Dispose()
    {
        _ecdhe?.Dispose();
        _hybrid?.Dispose();
    }
}
