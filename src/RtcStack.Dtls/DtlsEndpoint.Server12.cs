using System.Security.Cryptography;
using RtcStack.Dtls.Crypto;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Srtp;

namespace RtcStack.Dtls;

/// <summary>The DTLS 1.2 server: flights 2, 4 and 6 of RFC 6347 §4.2.4 Figure 1.</summary>
public sealed partial class DtlsEndpoint
{
    private static readonly ushort[] s_ourSignatureSchemes = BuildSchemeList();

    private void ServerOnMessage(HandshakeType type, byte[] body, int messageSeq, ulong recordSeq, TimeSpan now)
    {
        switch (_step)
        {
            case Step.ServerWaitClientHello when type == HandshakeType.ClientHello:
                ServerOnClientHello(body, messageSeq, recordSeq, now);
                break;
            case Step.ServerWaitClientHello:
                // Before a ClientHello nothing is known about the sender (stateless, RFC 6347
                // §4.2.1): anything else is dropped rather than allowed to fail the endpoint.
                break;
            case Step.ServerWaitClientCertificate when type == HandshakeType.Certificate:
                AppendTranscript(type, messageSeq, body);
                ProcessPeerCertificate(body);
                _step = Step.ServerWaitClientKeyExchange;
                break;
            case Step.ServerWaitClientCertificate when type == HandshakeType.ClientKeyExchange:
                throw new HandshakeFailureException(DtlsError.CertificateMissing, AlertDescription.HandshakeFailure, "client sent no certificate; WebRTC requires mutual authentication");
            case Step.ServerWaitClientKeyExchange when type == HandshakeType.ClientKeyExchange:
                ServerOnClientKeyExchange(body, messageSeq, now);
                break;
            case Step.ServerWaitCertificateVerify when type == HandshakeType.CertificateVerify:
                ServerOnCertificateVerify(body);
                AppendTranscript(type, messageSeq, body);
                _step = Step.ServerWaitFinished;
                break;
            case Step.ServerWaitFinished when type == HandshakeType.Finished:
                CheckPeerFinished(body, fromClient: true);
                AppendTranscript(type, messageSeq, body);
                ServerSendFlight6(now);
                break;
            default:
                throw Unexpected(type, _step);
        }
    }

    private void ServerOnClientHello(byte[] body, int messageSeq, ulong recordSeq, TimeSpan now)
    {
        if (!ClientHelloMessage.TryParse(body, out ClientHelloMessage? ch))
        {
            // Before a cookie round trip nothing is known about the sender: drop, do not answer.
            return;
        }

        if (_options.MaxVersion == DtlsVersion.Dtls13 && ch!.OffersDtls13)
        {
            ServerOnClientHello13(ch, body, messageSeq, recordSeq, now);
            return;
        }

        if (_options.RequireCookie)
        {
            Span<byte> expected = stackalloc byte[HelloCookie.Length];
            HelloCookie.Compute(_cookieSecret, _options.CookieClientIdentity, ch!, expected);
            if (!CryptographicOperations.FixedTimeEquals(ch!.Cookie, expected))
            {
                SendHelloVerifyRequest(expected, messageSeq, recordSeq);
                return;
            }
        }

        // Our HelloVerifyRequest reused an earlier ClientHello's record number; continue from this
        // one so that nothing we send next looks like a replay to the client: not even the alert
        // refusing its version below (it came after this step and was dropped by the client).
        if (_write[0]!.NextSequence < recordSeq)
        {
            _write[0]!.NextSequence = recordSeq;
        }

        // Only a client that proved its address (or any client when cookies are off) can fail us.
        // RFC 8446 §D.2: a server that supports only versions above the client's (here a 1.3-only
        // server, DtlsOptions.MinVersion) aborts with protocol_version; with supported_versions present
        // the choice is made from that list alone (§4.2.1), and it holds no version we accept.
        if (_options.MinVersion == DtlsVersion.Dtls13)
        {
            throw new HandshakeFailureException(DtlsError.UnsupportedVersion, AlertDescription.ProtocolVersion,
                ch!.SupportedVersions is null ? "client offers only DTLS 1.2 (no supported_versions), but DtlsOptions.MinVersion requires DTLS 1.3" : "client does not offer DTLS 1.3, which DtlsOptions.MinVersion requires");
        }

        if (!SupportsDtls12(ch!))
        {
            throw new HandshakeFailureException(DtlsError.UnsupportedVersion, AlertDescription.ProtocolVersion, "client does not offer DTLS 1.2");
        }

        ServerNegotiate(ch!, out ushort group, out SignatureScheme scheme);
        _group = (DtlsNamedGroup)group;
        _clientRandom = ch!.Random;
        RandomNumberGenerator.Fill(_serverRandom);
        if (_options.MaxVersion == DtlsVersion.Dtls13)
        {
            // RFC 8446 §4.1.3: a 1.3-capable server that negotiates 1.2 says so in its random.
            ServerHelloMessage.DowngradeSentinel12.CopyTo(_serverRandom, 24);
        }

        _transcript.Clear();
        AppendTranscript(HandshakeType.ClientHello, messageSeq, body);

        // RFC 6347 §4.2.2: the server's message_seq follows the ClientHello it answers.
        _sendMessageSeq = messageSeq;

        var sh = new ServerHelloMessage
        {
            Version = ProtocolVersion.Dtls12,
            Random = _serverRandom,
            CipherSuite = (ushort)_suite,
            ExtendedMasterSecret = true,
            RenegotiationInfo = ch.RenegotiationInfo is not null || Array.IndexOf(ch.CipherSuites, (ushort)0x00FF) >= 0 ? [] : null,
            HasEcPointFormats = ch.HasEcPointFormats,
            SrtpProfile = SrtpProfile is SrtpProfile p ? (ushort)p : null,
            SrtpMki = ch.SrtpMki,
        };
        BeginFlight();
        var w = new MessageWriter(256);
        sh.Write(w);
        AddHandshakeToFlight(HandshakeType.ServerHello, w.ToArray(), 0);
        AddHandshakeToFlight(HandshakeType.Certificate, BuildCertificateMessage(), 0);

        // RFC 8422 §5.4 ServerKeyExchange: ECParameters (named_curve) and our ephemeral point, signed.
        _keyExchange = KeyExchange.Create((DtlsNamedGroup)group);
        byte[] pub = _keyExchange.PublicKey;
        var ecParams = new byte[4 + pub.Length];
        ecParams[0] = 3;
        ecParams[1] = (byte)(group >> 8);
        ecParams[2] = (byte)group;
        ecParams[3] = (byte)pub.Length;
        pub.CopyTo(ecParams, 4);
        byte[] signed = new byte[64 + ecParams.Length];
        _clientRandom.CopyTo(signed, 0);
        _serverRandom.CopyTo(signed, 32);
        ecParams.CopyTo(signed, 64);
        byte[] signature = Signatures.Sign(_certificate.PrivateKey, scheme, signed);
        AddHandshakeToFlight(HandshakeType.ServerKeyExchange, BuildSignedBody(scheme, signature, ecParams), 0);

        // RFC 5246 §7.4.4: request the client's certificate (mutual authentication, RFC 8827 §6.5).
        var cr = new MessageWriter(64);
        cr.WriteUInt8(2);
        cr.WriteUInt8(64); // ecdsa_sign, RFC 8422 §5.5
        cr.WriteUInt8(1); // rsa_sign
        ClientHelloMessage.WriteUInt16List16(cr, s_ourSignatureSchemes);
        cr.WriteUInt16(0);
        AddHandshakeToFlight(HandshakeType.CertificateRequest, cr.ToArray(), 0);
        AddHandshakeToFlight(HandshakeType.ServerHelloDone, [], 0);
        _step = Step.ServerWaitClientCertificate;
        EndFlight(now, expectReply: true);
    }

    /// <summary>RFC 8446 §4.2.1: with supported_versions only its list counts; without it, legacy_version must be DTLS 1.2 (0xfefd).</summary>
    private static bool SupportsDtls12(ClientHelloMessage ch) =>
        ch.SupportedVersions is ushort[] versions
            ? Array.IndexOf(versions, ProtocolVersion.Dtls12) >= 0
            : ch.LegacyVersion <= ProtocolVersion.Dtls12;

    private void ServerNegotiate(ClientHelloMessage ch, out ushort group, out SignatureScheme scheme)
    {
        bool haveSuite = false;
        foreach (DtlsCipherSuite s in _options.CipherSuites)
        {
            if (Array.IndexOf(ch.CipherSuites, (ushort)s) >= 0 && CipherSuiteInfo.IsEcdsa(s) == _certificate.IsEcdsa && CipherSuiteInfo.IsAvailable(s))
            {
                _suite = s;
                haveSuite = true;
                break;
            }
        }

        if (!haveSuite)
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.HandshakeFailure, "no cipher suite in common");
        }

        // RFC 8422 §4: without supported_groups the client accepts any curve; assume P-256.
        group = 0;
        foreach (DtlsNamedGroup g in _options.NamedGroups)
        {
            if (g is not (DtlsNamedGroup.X25519 or DtlsNamedGroup.Secp256r1))
            {
                continue;
            }

            if (ch.SupportedGroups is null ? g == DtlsNamedGroup.Secp256r1 : Array.IndexOf(ch.SupportedGroups, (ushort)g) >= 0)
            {
                group = (ushort)g;
                break;
            }
        }

        if (group == 0)
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.HandshakeFailure, "no ECDHE group in common");
        }

        if (ch.HasEcPointFormats && !ch.EcPointUncompressed)
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.IllegalParameter, "client does not accept uncompressed points (RFC 8422 §5.1.2)");
        }

        if (!Signatures.TryChoose(_certificate.PrivateKey, ch.SignatureAlgorithms ?? [], out scheme))
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.HandshakeFailure, "no signature scheme in common");
        }

        if (!ch.ExtendedMasterSecret)
        {
            throw new HandshakeFailureException(DtlsError.ExtendedMasterSecretMissing, AlertDescription.HandshakeFailure, "client did not offer extended_master_secret (RFC 7627), which is required");
        }

        if (ch.RenegotiationInfo is { Length: > 0 })
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.HandshakeFailure, "non-empty renegotiation_info on an initial handshake (RFC 5746 §3.6)");
        }

        if (_options.SrtpProfiles.Count > 0)
        {
            // RFC 5764 §4.1.1: pick from the client's list; here in our order of preference.
            if (ch.SrtpProfiles is not null)
            {
                foreach (SrtpProfile p in _options.SrtpProfiles)
                {
                    if (Array.IndexOf(ch.SrtpProfiles, (ushort)p) >= 0)
                    {
                        SrtpProfile = p;
                        break;
                    }
                }
            }

            if (SrtpProfile is null)
            {
                throw new HandshakeFailureException(DtlsError.NoCommonSrtpProfile, AlertDescription.HandshakeFailure,
                    ch.SrtpProfiles is null ? "client did not offer use_srtp" : "no SRTP protection profile in common");
            }
        }
    }

    /// <summary>RFC 6347 §4.2.1: HelloVerifyRequest with server_version DTLS 1.0, in a record that reuses the ClientHello's record sequence number.</summary>
    private void SendHelloVerifyRequest(ReadOnlySpan<byte> cookie, int messageSeq, ulong recordSeq)
    {
        Span<byte> payload = stackalloc byte[HandshakeFragment.HeaderLength + 3 + HelloCookie.Length];
        int bodyLength = 3 + cookie.Length;
        HandshakeFragment.WriteHeader(payload, HandshakeType.HelloVerifyRequest, bodyLength, messageSeq, 0, bodyLength);
        payload[12] = 0xFE;
        payload[13] = 0xFF;
        payload[14] = (byte)cookie.Length;
        cookie.CopyTo(payload[15..]);
        var datagram = new byte[DtlsRecord.HeaderLength + payload.Length];
        DtlsRecord.WriteHeader(datagram, ContentType.Handshake, ProtocolVersion.Dtls12, 0, recordSeq, payload.Length);
        payload.CopyTo(datagram.AsSpan(DtlsRecord.HeaderLength));
        _transmit.Enqueue(datagram);
    }

    private void ServerOnClientKeyExchange(byte[] body, int messageSeq, TimeSpan now)
    {
        var r = new SpanReader(body);
        if (!r.TryReadVector8(out ReadOnlySpan<byte> point) || r.Remaining != 0)
        {
            throw Decode(HandshakeType.ClientKeyExchange);
        }

        if (!_keyExchange!.TryAgree(point, out byte[] preMaster))
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, "client ECDHE public value is invalid");
        }

        AppendTranscript(HandshakeType.ClientKeyExchange, messageSeq, body);
        DeriveMasterSecret(preMaster);
        _step = Step.ServerWaitCertificateVerify;
        InstallReadEpoch(1, _pendingRead!, now);
    }

    /// <summary>RFC 5246 §7.4.8: the client's signature over every handshake message before CertificateVerify.</summary>
    private void ServerOnCertificateVerify(byte[] body)
    {
        var r = new SpanReader(body);
        if (!r.TryReadUInt16(out ushort scheme) || !r.TryReadVector16(out ReadOnlySpan<byte> signature) || r.Remaining != 0)
        {
            throw Decode(HandshakeType.CertificateVerify);
        }

        if (!Signatures.IsSupported(scheme))
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.IllegalParameter, $"client signed with scheme 0x{scheme:x4} that was not offered");
        }

        if (!Signatures.Verify(_peerKey!, (SignatureScheme)scheme, _transcript.WrittenSpan, signature))
        {
            throw new HandshakeFailureException(DtlsError.BadSignature, AlertDescription.DecryptError, "CertificateVerify signature does not verify");
        }
    }

    /// <summary>Flight 6: ChangeCipherSpec, Finished. It is the last flight, so it has no timer; it is re-sent when the client retransmits flight 5 (RFC 6347 §4.2.4).</summary>
    private void ServerSendFlight6(TimeSpan now)
    {
        BeginFlight();
        AddChangeCipherSpecToFlight(0);
        InstallWriteEpoch(1, _pendingWrite!);
        _writeEpoch = 1;
        AddHandshakeToFlight(HandshakeType.Finished, ComputeVerifyData(fromClient: false), 1);
        EndFlight(now, expectReply: false);
        CompleteHandshake();
    }

    private static ushort[] BuildSchemeList()
    {
        var list = new ushort[Signatures.Supported.Length];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = (ushort)Signatures.Supported[i];
        }

        return list;
    }
}
