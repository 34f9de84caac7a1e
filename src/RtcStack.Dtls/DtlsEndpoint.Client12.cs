using System.Security.Cryptography;
using RtcStack.Dtls.Crypto;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Srtp;

namespace RtcStack.Dtls;

/// <summary>The DTLS 1.2 client: flights 1, 3 and 5 of RFC 6347 §4.2.4 Figure 1.</summary>
public sealed partial class DtlsEndpoint
{
    private ClientHelloMessage? _clientHello;
    private bool _certificateRequested;
    private ushort[] _serverSignatureSchemes = [];
    private byte[]? _serverPoint;
    private DtlsNamedGroup _group;

    private void ClientStart(TimeSpan now)
    {
        if (_options.RandomSource is { } random)
        {
            random(_clientRandom);
        }
        else
        {
            RandomNumberGenerator.Fill(_clientRandom);
        }

        var suites = new List<ushort>();
        foreach (DtlsCipherSuite s in _options.CipherSuites)
        {
            if (CipherSuiteInfo.IsAvailable(s))
            {
                suites.Add((ushort)s);
            }
        }

        var groups = new List<ushort>();
        foreach (DtlsNamedGroup g in _options.NamedGroups)
        {
            groups.Add((ushort)g);
        }

        var schemes = new ushort[Signatures.Supported.Length];
        for (int i = 0; i < schemes.Length; i++)
        {
            schemes[i] = (ushort)Signatures.Supported[i];
        }

        ushort[]? profiles = null;
        if (_options.SrtpProfiles.Count > 0)
        {
            profiles = new ushort[_options.SrtpProfiles.Count];
            for (int i = 0; i < profiles.Length; i++)
            {
                profiles[i] = (ushort)_options.SrtpProfiles[i];
            }
        }

        // A plain DTLS 1.2 ClientHello with the extensions WebRTC peers (BoringSSL, NSS, OpenSSL)
        // expect: no supported_versions, so a 1.3-capable server answers 1.2.
        _clientHello = new ClientHelloMessage
        {
            LegacyVersion = ProtocolVersion.Dtls12,
            Random = _clientRandom,
            CipherSuites = [.. suites],
            SupportedGroups = [.. groups],
            SignatureAlgorithms = schemes,
            SrtpProfiles = profiles,
            ExtendedMasterSecret = true,
            RenegotiationInfo = [],
            HasEcPointFormats = true,
        };
        if (_options.MaxVersion == DtlsVersion.Dtls13)
        {
            AddDtls13Offer(_clientHello);
        }

        _step = Step.ClientWaitServerHello;
        SendClientHello(now);
    }

    private void SendClientHello(TimeSpan now)
    {
        var w = new MessageWriter(512);
        _clientHello!.Write(w);
        _transcript.Clear();
        _transcript13.Clear();
        BeginFlight();
        byte[] body = w.ToArray();
        AddHandshakeToFlight(HandshakeType.ClientHello, body, 0);
        if (_offered13)
        {
            // RFC 9147 §5.2: the 1.3 transcript has the 4-byte TLS header; which one counts is known at the ServerHello.
            AppendTranscript13(HandshakeType.ClientHello, body);
        }

        EndFlight(now, expectReply: true);
    }

    private void ClientOnMessage(HandshakeType type, byte[] body, int messageSeq, TimeSpan now)
    {
        switch (_step)
        {
            case Step.ClientWaitServerHello when type == HandshakeType.HelloVerifyRequest:
                ClientOnHelloVerifyRequest(body, now);
                break;
            case Step.ClientWaitServerHello when type == HandshakeType.ServerHello && _offered13 && SelectsDtls13(body):
                ClientOnServerHello13(body, now);
                break;
            case Step.ClientWaitServerHello when type == HandshakeType.ServerHello:
                ClientOnServerHello(body);
                AppendTranscript(type, messageSeq, body);
                _step = Step.ClientWaitServerHelloDone;
                break;
            case Step.ClientWaitServerHelloDone:
                ClientOnServerFlight(type, body);
                AppendTranscript(type, messageSeq, body);
                if (type == HandshakeType.ServerHelloDone)
                {
                    ClientSendFlight5(now);
                }

                break;
            case Step.ClientWaitFinished when type == HandshakeType.Finished:
                CheckPeerFinished(body, fromClient: false);
                _flight.Clear();
                CompleteHandshake();
                break;
            default:
                throw Unexpected(type, _step);
        }
    }

    /// <summary>RFC 6347 §4.2.1: resend the ClientHello with the cookie; the first ClientHello and the HelloVerifyRequest are not part of the transcript.</summary>
    private void ClientOnHelloVerifyRequest(byte[] body, TimeSpan now)
    {
        var r = new SpanReader(body);
        if (!r.TryReadUInt16(out _) || !r.TryReadVector8(out ReadOnlySpan<byte> cookie) || r.Remaining != 0)
        {
            throw Decode(HandshakeType.HelloVerifyRequest);
        }

        _clientHello!.Cookie = cookie.ToArray();
        SendClientHello(now);
    }

    private void ClientOnServerHello(byte[] body)
    {
        if (!ServerHelloMessage.TryParse(body, out ServerHelloMessage? sh))
        {
            throw Decode(HandshakeType.ServerHello);
        }

        if (sh!.Version != ProtocolVersion.Dtls12 || sh.HasSupportedVersions)
        {
            throw new HandshakeFailureException(DtlsError.UnsupportedVersion, AlertDescription.ProtocolVersion, $"server chose version 0x{sh.Version:x4}; only DTLS 1.2 is offered");
        }

        // RFC 8446 §D.1: a version the client does not accept ends the handshake with protocol_version. A 1.3-only client (DtlsOptions.MinVersion) did not offer 1.2.
        if (_options.MinVersion == DtlsVersion.Dtls13)
        {
            throw new HandshakeFailureException(DtlsError.UnsupportedVersion, AlertDescription.ProtocolVersion, "server chose DTLS 1.2, but DtlsOptions.MinVersion requires DTLS 1.3");
        }

        // RFC 8446 §4.1.3: a client that offered 1.3 refuses a 1.2 ServerHello carrying the downgrade sentinel.
        if (_offered13 && sh.Random.AsSpan(24).SequenceEqual(ServerHelloMessage.DowngradeSentinel12))
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, "DTLS 1.2 ServerHello with the TLS 1.3 downgrade sentinel");
        }

        if (_offered13)
        {
            // DTLS 1.2 it is: the 1.3 key shares are not needed.
            foreach (KeyShare k in _keyShares13)
            {
                k.Dispose();
            }

            _keyShares13.Clear();
            _offered13 = false;
        }

        if (Array.IndexOf(_clientHello!.CipherSuites, sh.CipherSuite) < 0 || sh.Compression != 0)
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, $"server chose cipher suite 0x{sh.CipherSuite:x4} that was not offered");
        }

        // RFC 7627 §5.3: a client that requires extended_master_secret aborts without it.
        if (!sh.ExtendedMasterSecret)
        {
            throw new HandshakeFailureException(DtlsError.ExtendedMasterSecretMissing, AlertDescription.HandshakeFailure, "server did not negotiate extended_master_secret (RFC 7627), which is required");
        }

        // RFC 5746 §3.4: on an initial handshake renegotiated_connection must be empty.
        if (sh.RenegotiationInfo is { Length: > 0 })
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.HandshakeFailure, "non-empty renegotiation_info on an initial handshake");
        }

        if (_clientHello.SrtpProfiles is not null)
        {
            // RFC 5764 §4.1.1: the server picks one of the offered profiles.
            if (sh.SrtpProfile is not ushort p || Array.IndexOf(_clientHello.SrtpProfiles, p) < 0)
            {
                throw new HandshakeFailureException(DtlsError.NoCommonSrtpProfile, AlertDescription.HandshakeFailure,
                    sh.SrtpProfile is null ? "server did not negotiate use_srtp" : $"server chose SRTP profile 0x{sh.SrtpProfile:x4} that was not offered");
            }

            SrtpProfile = (SrtpProfile)p;
        }
        else if (sh.SrtpProfile is not null)
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.UnsupportedExtension, "server sent use_srtp that was not offered");
        }

        _suite = (DtlsCipherSuite)sh.CipherSuite;
        _serverRandom = sh.Random;
    }

    private void ClientOnServerFlight(HandshakeType type, byte[] body)
    {
        switch (type)
        {
            case HandshakeType.Certificate when _remoteCertificateDer is null:
                ProcessPeerCertificate(body);
                if (CipherSuiteInfo.IsEcdsa(_suite) != _peerKey is ECDsa)
                {
                    throw new HandshakeFailureException(DtlsError.BadCertificate, AlertDescription.UnsupportedCertificate, $"server certificate key does not fit {_suite}");
                }

                break;
            case HandshakeType.ServerKeyExchange when _remoteCertificateDer is not null && _serverPoint is null:
                ClientOnServerKeyExchange(body);
                break;
            case HandshakeType.CertificateRequest when _serverPoint is not null && !_certificateRequested:
                ClientOnCertificateRequest(body);
                break;
            case HandshakeType.ServerHelloDone when _serverPoint is not null:
                if (body.Length != 0)
                {
                    throw Decode(type);
                }

                break;
            default:
                throw Unexpected(type, _step);
        }
    }

    /// <summary>RFC 8422 §5.4: ServerECDHParams (named_curve, point) signed over client_random ‖ server_random ‖ params.</summary>
    private void ClientOnServerKeyExchange(byte[] body)
    {
        var r = new SpanReader(body);
        if (!r.TryReadUInt8(out byte curveType) || !r.TryReadUInt16(out ushort group) || !r.TryReadVector8(out ReadOnlySpan<byte> point))
        {
            throw Decode(HandshakeType.ServerKeyExchange);
        }

        int paramsLength = r.Position;
        if (!r.TryReadUInt16(out ushort scheme) || !r.TryReadVector16(out ReadOnlySpan<byte> signature) || r.Remaining != 0)
        {
            throw Decode(HandshakeType.ServerKeyExchange);
        }

        if (curveType != 3 || group is not ((ushort)DtlsNamedGroup.X25519 or (ushort)DtlsNamedGroup.Secp256r1) || Array.IndexOf(_clientHello!.SupportedGroups!, group) < 0)
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.IllegalParameter, $"server chose group {group} that was not offered");
        }

        if (!Signatures.IsSupported(scheme))
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.IllegalParameter, $"server signed with scheme 0x{scheme:x4} that was not offered");
        }

        byte[] signed = new byte[64 + paramsLength];
        _clientRandom.CopyTo(signed, 0);
        _serverRandom.CopyTo(signed, 32);
        body.AsSpan(0, paramsLength).CopyTo(signed.AsSpan(64));
        if (!Signatures.Verify(_peerKey!, (SignatureScheme)scheme, signed, signature))
        {
            throw new HandshakeFailureException(DtlsError.BadSignature, AlertDescription.DecryptError, "ServerKeyExchange signature does not verify");
        }

        _group = (DtlsNamedGroup)group;
        _serverPoint = point.ToArray();
    }

    /// <summary>RFC 5246 §7.4.4 CertificateRequest: certificate_types, supported_signature_algorithms, certificate_authorities.</summary>
    private void ClientOnCertificateRequest(byte[] body)
    {
        var r = new SpanReader(body);
        if (!r.TryReadVector8(out _) || !r.TryReadVector16(out ReadOnlySpan<byte> algs) || (algs.Length & 1) != 0 ||
            !r.TryReadVector16(out _) || r.Remaining != 0)
        {
            throw Decode(HandshakeType.CertificateRequest);
        }

        _serverSignatureSchemes = ClientHelloMessage.ReadUInt16List(algs);
        _certificateRequested = true;
    }

    /// <summary>Flight 5: Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec, Finished.</summary>
    private void ClientSendFlight5(TimeSpan now)
    {
        _keyExchange = KeyExchange.Create(_group, _options.RandomSource, _options.KeyMaterialMemo);
        if (!_keyExchange.TryAgree(_serverPoint, out byte[] preMaster))
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, "server ECDHE public value is invalid");
        }

        SignatureScheme scheme = default;
        if (_certificateRequested && !Signatures.TryChoose(_certificate.PrivateKey, _serverSignatureSchemes, out scheme))
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.HandshakeFailure, "no signature scheme in common for CertificateVerify");
        }

        BeginFlight();
        if (_certificateRequested)
        {
            AddHandshakeToFlight(HandshakeType.Certificate, BuildCertificateMessage(), 0);
        }

        var cke = new byte[1 + _keyExchange.PublicKey.Length];
        cke[0] = (byte)_keyExchange.PublicKey.Length;
        _keyExchange.PublicKey.CopyTo(cke, 1);
        AddHandshakeToFlight(HandshakeType.ClientKeyExchange, cke, 0);
        DeriveMasterSecret(preMaster);

        if (_certificateRequested)
        {
            // RFC 5246 §7.4.8: the signature covers every handshake message so far.
            byte[] signature = Signatures.Sign(_certificate.PrivateKey, scheme, _transcript.WrittenSpan);
            AddHandshakeToFlight(HandshakeType.CertificateVerify, BuildSignedBody(scheme, signature, default), 0);
        }

        AddChangeCipherSpecToFlight(0);
        InstallWriteEpoch(1, _pendingWrite!);
        _writeEpoch = 1;
        byte[] verify = ComputeVerifyData(fromClient: true);
        AddHandshakeToFlight(HandshakeType.Finished, verify, 1);
        _step = Step.ClientWaitFinished;
        EndFlight(now, expectReply: true);
        InstallReadEpoch(1, _pendingRead!, now);
    }
}
