using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RtcStack.Dtls.Tests.Support;
using RtcStack.Srtp;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>Our DTLS 1.3 client against our DTLS 1.3 server in virtual time (RFC 9147 §5).</summary>
public class Dtls13HandshakeTests
{
    internal static (DtlsEndpoint Client, DtlsEndpoint Server) Pair(Action<DtlsOptions>? client = null, Action<DtlsOptions>? server = null)
    {
        DtlsOptions co = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        DtlsOptions so = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        co.MaxVersion = DtlsVersion.Dtls13;
        so.MaxVersion = DtlsVersion.Dtls13;
        client?.Invoke(co);
        server?.Invoke(so);
        return (new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, so));
    }

    internal static VirtualLink Connect(DtlsEndpoint c, DtlsEndpoint s, int seed = 1)
    {
        var link = new VirtualLink(c, s, seed);
        s.Start(link.Now);
        c.Start(link.Now);
        return link;
    }

    internal static void AssertSameSrtpKeys(VirtualLink link)
    {
        var ce = Assert.Single(link.EventsA.OfType<DtlsConnectedEvent>());
        var se = Assert.Single(link.EventsB.OfType<DtlsConnectedEvent>());
        Assert.Equal(DtlsVersion.Dtls13, ce.Version);
        Assert.Equal(DtlsVersion.Dtls13, se.Version);
        Assert.Equal(ce.SrtpKeys!.Profile, se.SrtpKeys!.Profile);
        Assert.Equal(ce.SrtpKeys.ExporterOutput, se.SrtpKeys.ExporterOutput);
        Assert.Equal(ce.SrtpKeys.LocalMasterKey, se.SrtpKeys.RemoteMasterKey);
        Assert.Equal(ce.SrtpKeys.LocalMasterSalt, se.SrtpKeys.RemoteMasterSalt);
        Assert.Equal(ce.SrtpKeys.RemoteMasterKey, se.SrtpKeys.LocalMasterKey);
        Assert.Equal(TestCertificates.Server.Fingerprint, ce.RemoteFingerprint);
        Assert.Equal(TestCertificates.Client.Fingerprint, se.RemoteFingerprint);
    }

    [Fact]
    public void OursToOurs_Connects13_WithTheHybridGroup_AndEqualSrtpKeys()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(server: o => o.RequireCookie = false);
        VirtualLink link = Connect(c, s);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        AssertSameSrtpKeys(link);
        Assert.Equal(DtlsNamedGroup.X25519MlKem768, c.NegotiatedGroup);
        Assert.Equal(DtlsNamedGroup.X25519MlKem768, s.NegotiatedGroup);
        Assert.Equal(DtlsCipherSuite.Tls13Aes128GcmSha256, c.CipherSuite);
        Assert.Equal(SrtpProfile.AeadAes128Gcm, c.SrtpProfile);

        // One round trip and nothing resent: the ClientHello (hybrid share, 2 datagrams at MTU 1200),
        // the server flight (2), the client's final flight (1), the server's ACK (1), which stops the client's timer.
        link.RunUntil(() => false, TimeSpan.FromSeconds(3));
        Assert.Null(c.PollTimeout());
        Assert.Null(s.PollTimeout());
        Assert.Equal((3, 3), (link.DatagramsAToB, link.DatagramsBToA));
    }

    [Theory]
    [InlineData(DtlsNamedGroup.X25519MlKem768, DtlsCipherSuite.Tls13Aes128GcmSha256)]
    [InlineData(DtlsNamedGroup.X25519MlKem768, DtlsCipherSuite.Tls13Aes256GcmSha384)]
    [InlineData(DtlsNamedGroup.X25519, DtlsCipherSuite.Tls13Aes128GcmSha256)]
    [InlineData(DtlsNamedGroup.X25519, DtlsCipherSuite.Tls13Aes256GcmSha384)]
    [InlineData(DtlsNamedGroup.Secp256r1, DtlsCipherSuite.Tls13Aes128GcmSha256)]
    [InlineData(DtlsNamedGroup.Secp256r1, DtlsCipherSuite.Tls13Aes256GcmSha384)]
    public void EachGroupAndSuite_ConnectsAndExchangesApplicationData(DtlsNamedGroup group, DtlsCipherSuite suite)
    {
        void Only(DtlsOptions o)
        {
            o.Dtls13Groups.Clear();
            o.Dtls13Groups.Add(group);
            o.Dtls13CipherSuites.Clear();
            o.Dtls13CipherSuites.Add(suite);
        }

        (DtlsEndpoint c, DtlsEndpoint s) = Pair(Only, o => { Only(o); o.RequireCookie = false; });
        VirtualLink link = Connect(c, s);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        AssertSameSrtpKeys(link);
        Assert.Equal(group, c.NegotiatedGroup);
        Assert.Equal(suite, s.CipherSuite);
        c.Send("hello"u8);
        s.Send("world"u8);
        link.RunUntil(() => link.EventsA.OfType<DtlsApplicationDataEvent>().Any() && link.EventsB.OfType<DtlsApplicationDataEvent>().Any(), TimeSpan.FromSeconds(1));
        Assert.Equal("hello"u8.ToArray(), link.EventsB.OfType<DtlsApplicationDataEvent>().Single().Data.ToArray());
        Assert.Equal("world"u8.ToArray(), link.EventsA.OfType<DtlsApplicationDataEvent>().Single().Data.ToArray());
        Assert.Equal(c.ExportKeyingMaterial("EXPORTER-test", 32), s.ExportKeyingMaterial("EXPORTER-test", 32));
    }

    [Fact]
    public void ServerWithoutTheClientsShareGroups_AsksForP256WithHelloRetryRequest()
    {
        // The client sends X25519MLKEM768 and X25519 shares; the server only takes P-256 (RFC 8446 §4.1.4).
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(server: o =>
        {
            o.RequireCookie = false;
            o.Dtls13Groups.Clear();
            o.Dtls13Groups.Add(DtlsNamedGroup.Secp256r1);
        });
        var hellos = new List<byte[]>();
        VirtualLink link = Connect(c, s);
        link.Tap = (toB, d) =>
        {
            if (!toB && d[0] == 22 && d[13] == 2)
            {
                hellos.Add(d);
            }

            return d;
        };
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        AssertSameSrtpKeys(link);
        Assert.Equal(DtlsNamedGroup.Secp256r1, c.NegotiatedGroup);

        // The first server hello is a HelloRetryRequest (its special random) with message_seq 0; then the ServerHello with message_seq 1.
        Assert.Equal(2, hellos.Count);
        Assert.Equal(Handshake.ServerHelloMessage.HelloRetryRequestRandom, hellos[0].AsSpan(13 + 12 + 2, 32).ToArray());
        Assert.Equal(0, hellos[0][13 + 5]);
        Assert.Equal(1, hellos[1][13 + 5]);
    }

    [Fact]
    public void ServerRequiringACookie_SendsAStatelessHelloRetryRequest_ThenConnects()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair();
        int helloRetries = 0;
        VirtualLink link = Connect(c, s);
        link.Tap = (toB, d) =>
        {
            if (!toB && d[0] == 22 && d[13] == 2 && d.AsSpan(13 + 12 + 2, 32).SequenceEqual(Handshake.ServerHelloMessage.HelloRetryRequestRandom))
            {
                helloRetries++;

                // Stateless: after the HelloRetryRequest the server runs no retransmission timer, only the handshake limit.
                Assert.Equal(TimeSpan.FromSeconds(30), s.PollTimeout());
            }

            return d;
        };
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        AssertSameSrtpKeys(link);
        Assert.Equal(1, helloRetries);
        Assert.Equal(DtlsNamedGroup.X25519MlKem768, s.NegotiatedGroup);
    }

    [Fact]
    public void ForgedCookie_IsRefusedWithIllegalParameter()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair();
        VirtualLink link = Connect(c, s);
        link.Tap = (toB, d) =>
        {
            // Flip a bit in the last byte of the HelloRetryRequest (inside the cookie's MAC).
            if (!toB && d[0] == 22 && d[13] == 2 && d.AsSpan(13 + 12 + 2, 32).SequenceEqual(Handshake.ServerHelloMessage.HelloRetryRequestRandom))
            {
                d[^1] ^= 1;
            }

            return d;
        };
        Assert.False(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        var failed = Assert.Single(link.EventsB.OfType<DtlsFailedEvent>());
        Assert.Equal(AlertDescription.IllegalParameter, failed.Alert);
    }

    [Fact]
    public void Client13_AgainstA12OnlyServer_FallsBackTo12()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(server: o => o.MaxVersion = DtlsVersion.Dtls12);
        VirtualLink link = Connect(c, s);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        Assert.Equal(DtlsVersion.Dtls12, c.Version);
        Assert.Equal(DtlsVersion.Dtls12, Assert.Single(link.EventsA.OfType<DtlsConnectedEvent>()).Version);
        Assert.Equal(DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256, c.CipherSuite);
        Assert.Equal(link.A.SrtpKeys!.ExporterOutput, link.B.SrtpKeys!.ExporterOutput);
    }

    [Fact]
    public void Client12Only_AgainstA13Server_Connects12_WithTheDowngradeSentinel()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(client: o => o.MaxVersion = DtlsVersion.Dtls12);
        byte[]? serverRandom = null;
        VirtualLink link = Connect(c, s);
        link.Tap = (toB, d) =>
        {
            if (!toB && d[0] == 22 && d[13] == 2)
            {
                serverRandom = d.AsSpan(13 + 12 + 2, 32).ToArray();
            }

            return d;
        };
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        Assert.Equal(DtlsVersion.Dtls12, s.Version);
        Assert.Equal(link.A.SrtpKeys!.ExporterOutput, link.B.SrtpKeys!.ExporterOutput);

        // RFC 8446 §4.1.3: a 1.3-capable server negotiating 1.2 ends its random with "DOWNGRD" 01.
        Assert.Equal("DOWNGRD\u0001"u8.ToArray(), serverRandom![24..]);
    }

    [Fact]
    public void Client13_RefusesA12ServerHelloWithTheDowngradeSentinel()
    {
        // An attacker (or a broken middlebox) forcing 1.2 on a 1.3-capable pair: the sentinel gives it away.
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(server: o => o.MaxVersion = DtlsVersion.Dtls12);
        VirtualLink link = Connect(c, s);
        link.Tap = (toB, d) =>
        {
            if (!toB && d[0] == 22 && d[13] == 2)
            {
                "DOWNGRD\u0001"u8.CopyTo(d.AsSpan(13 + 12 + 2 + 24));
            }

            return d;
        };
        Assert.False(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        var failed = Assert.Single(link.EventsA.OfType<DtlsFailedEvent>());
        Assert.Equal(AlertDescription.IllegalParameter, failed.Alert);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(18)]
    [InlineData(19)]
    [InlineData(20)]
    public void ThirtyPercentLoss_WithReorderingAndDuplication_StillConnects13(int seed)
    {
        // The hybrid ClientHello is 4 fragments at MTU 400 (the 1.2 one fits in 1) and the cookie costs a
        // HelloRetryRequest round trip, so with the timer doubling from 1 s a run needs more than the 1.2
        // test's 30 s at 30 % loss (seed 12 had its HelloRetryRequest lost, then no whole ClientHello until
        // the 15 s retransmission): the handshake limit here is 60 s.
        static void Lossy(DtlsOptions o)
        {
            o.Mtu = 400;
            o.HandshakeTimeout = TimeSpan.FromSeconds(60);
        }

        (DtlsEndpoint c, DtlsEndpoint s) = Pair(Lossy, Lossy);
        var link = new VirtualLink(c, s, seed)
        {
            LossRate = 0.30,
            DuplicateRate = 0.20,
            Jitter = TimeSpan.FromMilliseconds(80),
        };
        s.Start(link.Now);
        c.Start(link.Now);
        bool connected = link.RunUntilConnected(TimeSpan.FromSeconds(60));
        Assert.True(connected, $"seed {seed}: client {c.State}, server {s.State}; " + string.Join("; ", link.EventsA.Concat(link.EventsB)));
        Assert.Equal(DtlsVersion.Dtls13, c.Version);
        Assert.Equal(c.SrtpKeys!.ExporterOutput, s.SrtpKeys!.ExporterOutput);

        // The client's final flight is acknowledged in the end (its timer stops).
        link.RunUntil(() => c.PollTimeout() is null, TimeSpan.FromSeconds(60));
        Assert.Null(c.PollTimeout());
    }

    [Fact]
    public void LostServerDatagram_IsResentAlone_AfterTheClientsAck()
    {
        // RFC 9147 §7: the client acknowledges what arrived; the server resends only the rest.
        // The server's own timer is set later than the client's, so the client's ACK comes first.
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(server: o =>
        {
            o.RequireCookie = false;
            o.InitialRetransmitTimeout = TimeSpan.FromSeconds(3);
        });
        var fromServer = new List<byte[]>();
        bool dropped = false;
        VirtualLink link = Connect(c, s);
        link.Tap = (toB, d) =>
        {
            if (toB)
            {
                return d;
            }

            fromServer.Add(d);
            if (!dropped && fromServer.Count == 2)
            {
                dropped = true;
                return null;
            }

            return d;
        };
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(10)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        AssertSameSrtpKeys(link);

        // Server: flight in 2 datagrams, then one datagram with the missing records (no ServerHello again: no
        // plaintext epoch-0 record), then the ACK of the client's final flight.
        Assert.Equal(4, fromServer.Count);
        Assert.True(Records.Dtls13Record.IsUnifiedHeader(fromServer[2][0]));
        Assert.True(fromServer[2].Length <= fromServer[1].Length);
    }

    [Fact]
    public void LostAck_MakesTheClientResendItsFinalFlight_AndTheServerAcksAgain()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(server: o => o.RequireCookie = false);
        int serverDatagrams = 0;
        VirtualLink link = Connect(c, s);
        link.Tap = (toB, d) => !toB && ++serverDatagrams == 3 ? null : d; // the ACK
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        Assert.NotNull(c.PollTimeout());
        Assert.True(link.RunUntil(() => c.PollTimeout() is null, TimeSpan.FromSeconds(5)));
        Assert.Equal(4, serverDatagrams);
        Assert.Equal(4, link.DatagramsAToB);
    }

    [Fact]
    public void KeyUpdate_BothWays_MovesToEpoch4_AndDataStillFlows()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(server: o => o.RequireCookie = false);
        var epochBits = new List<(bool ToB, int Bits)>();
        VirtualLink link = Connect(c, s);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        link.RunUntil(() => c.PollTimeout() is null, TimeSpan.FromSeconds(5));
        link.Tap = (toB, d) =>
        {
            epochBits.Add((toB, d[0] & 3));
            return d;
        };

        c.UpdateKeys(requestPeerUpdate: true);
        link.RunUntil(() => c.PollTimeout() is null && s.PollTimeout() is null, TimeSpan.FromSeconds(5));
        c.Send("after"u8);
        s.Send("update"u8);
        link.RunUntil(() => link.EventsA.OfType<DtlsApplicationDataEvent>().Any() && link.EventsB.OfType<DtlsApplicationDataEvent>().Any(), TimeSpan.FromSeconds(1));
        Assert.Equal("after"u8.ToArray(), link.EventsB.OfType<DtlsApplicationDataEvent>().Single().Data.ToArray());
        Assert.Equal("update"u8.ToArray(), link.EventsA.OfType<DtlsApplicationDataEvent>().Single().Data.ToArray());

        // Both directions ended in epoch 4 (bits 00) after starting in epoch 3 (bits 11).
        Assert.Equal(3, epochBits.First(e => e.ToB).Bits);
        Assert.Equal(0, epochBits.Last(e => e.ToB).Bits);
        Assert.Equal(0, epochBits.Last(e => !e.ToB).Bits);
        Assert.Equal(c.SrtpKeys!.ExporterOutput, s.SrtpKeys!.ExporterOutput);
    }

    [Fact]
    public void CloseNotify_IsEncryptedAndReported()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(server: o => o.RequireCookie = false);
        VirtualLink link = Connect(c, s);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        byte first = 0;
        link.Tap = (toB, d) =>
        {
            first = toB ? d[0] : first;
            return d;
        };
        c.Close();
        link.RunUntil(() => s.State == DtlsState.Closed, TimeSpan.FromSeconds(1));
        Assert.Equal(DtlsState.Closed, s.State);
        Assert.True(Records.Dtls13Record.IsUnifiedHeader(first));
        Assert.Contains(link.EventsB.OfType<DtlsClosedEvent>(), e => e.ByPeer);
    }

    [Fact]
    public void WrongServerFingerprint_FailsTheClientWithBadCertificate_AndTellsTheServer()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(o =>
        {
            o.RemoteFingerprints.Clear();
            o.RemoteFingerprints.Add(TestCertificates.Client.Fingerprint);
        }, o => o.RequireCookie = false);
        VirtualLink link = Connect(c, s);
        Assert.False(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        Assert.Equal(DtlsError.FingerprintMismatch, Assert.Single(link.EventsA.OfType<DtlsFailedEvent>()).Error);
        link.RunUntil(() => s.State != DtlsState.Handshaking, TimeSpan.FromSeconds(1));
        var peer = Assert.Single(link.EventsB.OfType<DtlsFailedEvent>());
        Assert.Equal(DtlsError.PeerAlert, peer.Error);
        Assert.Equal(AlertDescription.BadCertificate, peer.Alert);
    }

    [Fact]
    public void ReplayedApplicationRecord_IsDeliveredOnce_AndATamperedOneNever()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(server: o => o.RequireCookie = false);
        VirtualLink link = Connect(c, s);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        link.RunUntil(() => c.PollTimeout() is null, TimeSpan.FromSeconds(5));
        c.Send("once"u8);
        Assert.True(c.TryPollTransmit(out ReadOnlyMemory<byte> record));
        s.HandleDatagram(record.Span, link.Now);
        s.HandleDatagram(record.Span, link.Now);
        byte[] tampered = record.ToArray();
        tampered[^1] ^= 1;
        s.HandleDatagram(tampered, link.Now);
        var data = new List<DtlsApplicationDataEvent>();
        while (s.TryPollEvent(out DtlsEvent? e))
        {
            if (e is DtlsApplicationDataEvent a)
            {
                data.Add(a);
            }
        }

        Assert.Single(data);
        Assert.Equal(DtlsState.Connected, s.State);
    }

    [Fact]
    public void RsaCertificates_SignAndVerifyWithRsaPss_BothWays()
    {
        // RFC 8446 §4.2.3: RSA keys sign CertificateVerify with RSA-PSS (rsa_pss_rsae_*), never PKCS#1 v1.5.
        using RSA rsaServer = RSA.Create(2048);
        using RSA rsaClient = RSA.Create(2048);
        using DtlsCertificate server = SelfSignedRsa(rsaServer, "rsa-server");
        using DtlsCertificate client = SelfSignedRsa(rsaClient, "rsa-client");
        var co = new DtlsOptions { Certificate = client, MaxVersion = DtlsVersion.Dtls13 };
        co.RemoteFingerprints.Add(server.Fingerprint);
        var so = new DtlsOptions { Certificate = server, MaxVersion = DtlsVersion.Dtls13, RequireCookie = false };
        so.RemoteFingerprints.Add(client.Fingerprint);
        var link = new VirtualLink(new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, so));
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        Assert.Equal(DtlsVersion.Dtls13, link.A.Version);
        Assert.Equal(link.A.SrtpKeys!.ExporterOutput, link.B.SrtpKeys!.ExporterOutput);
    }

    private static DtlsCertificate SelfSignedRsa(RSA key, string cn)
    {
        var req = new CertificateRequest("CN=" + cn, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return DtlsCertificate.FromPem(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
