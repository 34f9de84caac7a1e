namespace RtcStack.Dtls.Crypto;

/// <summary>
/// Test-only seam (<see cref="DtlsOptions.KeyMaterialMemo"/>, used by the <c>dtls13-client</c> fuzz
/// target): remembers the results of deterministic key computations (an X25519 public key from its
/// scalar, an ML-KEM-768 key pair from its seed, a shared secret from both private and peer values)
/// so that a client whose randomness is fixed (<see cref="DtlsOptions.RandomSource"/>) does not
/// recompute the same keys on every run. Every result is a pure function of <c>key</c>; a memo may
/// forget entries at any time. Never set outside tests and fuzzing.
/// </summary>
internal interface IKeyMaterialMemo
{
    /// <summary>The value stored under (<paramref name="kind"/>, the bytes of <paramref name="key"/>), or <paramref name="compute"/>'s result, then stored.</summary>
    T GetOrAdd<T>(string kind, byte[] key, Func<T> compute)
        where T : class;
}
