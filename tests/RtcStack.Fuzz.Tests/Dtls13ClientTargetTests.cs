using RtcStack.Dtls;
using RtcStack.Fuzz.Targets;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Fuzz.Tests;

/// <summary>
/// The dtls13-client target reaches what its comment promises: its recorded server flights drive the
/// fixed-randomness client through the whole DTLS 1.3 handshake (so mutations reach the encrypted
/// messages, not only the ServerHello), and the 1.2 flight is refused by a 1.3-only client.
/// </summary>
public class Dtls13ClientTargetTests
{
    private static readonly string s_corpus = Path.Combine(RepoPaths.Root, "fuzz", "corpus", "dtls13-client");

    [Theory]
    [InlineData("hybrid-nocookie")]
    [InlineData("hybrid-cookie-hrr")]
    [InlineData("x25519-aes256")]
    [InlineData("x25519-hrr-to-hybrid")]
    public void Committed_13_seed_connects_the_client(string seed)
    {
        (DtlsState state, DtlsVersion version, DtlsFailedEvent? failure) = Dtls13ClientTarget.RunAndReport(File.ReadAllBytes(Path.Combine(s_corpus, seed)));
        Assert.Null(failure);
        Assert.Equal(DtlsState.Connected, state);
        Assert.Equal(DtlsVersion.Dtls13, version);
    }

    [Theory]
    [InlineData("hybrid-nocookie")]
    [InlineData("x25519-hrr-to-hybrid")]
    public void Committed_13_seed_connects_the_client_again_from_remembered_keys(string seed)
    {
        // The target remembers the fixed client's key computations across runs (DtlsOptions.KeyMaterialMemo);
        // the second and third runs take the remembered keys and secrets and must end the same.
        byte[] data = File.ReadAllBytes(Path.Combine(s_corpus, seed));
        for (int run = 0; run < 3; run++)
        {
            Assert.Equal((DtlsState.Connected, DtlsVersion.Dtls13, (DtlsFailedEvent?)null), Dtls13ClientTarget.RunAndReport(data));
        }
    }

    [Fact]
    public void Committed_12_seed_reaches_the_12_flight_and_a_13_only_client_refuses_it()
    {
        // The 1.2 master secret is not reproducible (the extended-master-secret session hash covers the
        // client's certificate, made once per process, and the committed seed was recorded when the
        // 1.2 ClientKeyExchange key was random), so the recorded epoch-1 Finished does not decrypt: the
        // 1.3-capable client takes the 1.2 flight, answers it and waits.
        (DtlsState state12, _, DtlsFailedEvent? failure12) = Dtls13ClientTarget.RunAndReport(File.ReadAllBytes(Path.Combine(s_corpus, "dtls12-server")));
        Assert.Null(failure12);
        Assert.Equal(DtlsState.Handshaking, state12);

        byte[] only13 = File.ReadAllBytes(Path.Combine(s_corpus, "dtls12-server-to-13-only"));
        Assert.Equal(4, only13[0] & 4);
        (DtlsState state, _, DtlsFailedEvent? failure) = Dtls13ClientTarget.RunAndReport(only13);
        Assert.Equal(DtlsState.Failed, state);
        Assert.NotNull(failure);
        Assert.Equal(DtlsError.UnsupportedVersion, failure.Error);
        Assert.Equal(AlertDescription.ProtocolVersion, failure.Alert);
    }

    [Fact]
    public void A_freshly_recorded_flight_connects_the_client_too()
    {
        // The client's randomness is fixed, so any recording by our server replays: a change that made
        // the client's ClientHello vary between runs would turn every seed into a ServerHello-only input.
        byte[] seed = Dtls13ClientTarget.RecordSeed(0, o => o.RequireCookie = true);
        Assert.Equal((DtlsState.Connected, DtlsVersion.Dtls13, (DtlsFailedEvent?)null), Dtls13ClientTarget.RunAndReport(seed));
    }
    [Fact]
    public void The_target_can_run_from_several_threads_at_once()
    {
        // The target's key memo is static and the test host runs test classes in parallel (the corpus
        // replay drives this target beside these tests): CI once failed with "An item with the same key
        // has already been added" from two threads computing the same ML-KEM completion. Here four
        // threads run the same never-seen input at the same moment (each flips one more byte of the
        // hybrid seed's first datagram, so the server share, hence the memo key, is new every round).
        byte[] seed = File.ReadAllBytes(Path.Combine(s_corpus, "hybrid-nocookie"));
        const int threads = 4;
        const int rounds = 40;
        using var barrier = new Barrier(threads);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        int salt = Random.Shared.Next(1, 256);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                for (int round = 0; round < rounds; round++)
                {
                    byte[] input = (byte[])seed.Clone();

                    // Bytes 3.. are the first datagram (flags, then its 2-byte length); its tail is the
                    // ServerHello's key share, so flipping a byte near the end changes the share.
                    int firstLength = (seed[1] << 8) | seed[2];
                    input[3 + firstLength - 1 - round] ^= (byte)salt;
                    barrier.SignalAndWait();
                    try
                    {
                        Dtls13ClientTarget.RunAndReport(input);
                    }
                    catch (Exception e)
                    {
                        failures.Enqueue(e);
                    }
                }
            });
            workers[t].Start();
        }

        foreach (Thread w in workers)
        {
            w.Join();
        }

        Assert.Empty(failures);
    }
}
