using System.Buffers.Binary;
using System.Security.Cryptography;
using RtcStack.Dtls.Crypto;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Srtp;

namespace RtcStack.Dtls;

/// <summary>
/// The DTLS 1.3 server (RFC 9147 §5, RFC 8446 §4): HelloRetryRequest with a stateless cookie
/// (RFC 9147 §5.1), ServerHello, then EncryptedExtensions (use_srtp), CertificateRequest,
/// Certificate, CertificateVerify, Finished in epoch 2; the client's Certificate,
/// CertificateVerify and Finished; an ACK of the client's final flight (RFC 9147 §7).
/// </summary>
public sealed partial class DtlsEndpoint
{
    private const int CookieMacLength = 16;

    private byte[] _certificateRequestContext = [];

    private void ServerOnMessage13(HandshakeType type, byte[] body, TimeSpan now)
    {
        switch (_step)
        {
            case Step.ServerWaitClientCertificate when type == HandshakeType.Certificate:
                ProcessPeerCertificate13(body, _certificateRequestContext);
                AppendTranscript13(type, body);
                _step = Step.ServerWaitCertificateVerify;
                break;
            case Step.ServerWaitClientCertificate when type == HandshakeType.Finished:
                throw new HandshakeFailureException(DtlsError.CertificateMissing, AlertDescription.CertificateRequired, "client sent no certificate; WebRTC requires mutual authentication");
            case Step.ServerWaitCertificateVerify when type == HandshakeType.CertificateVerify:
                VerifyCertificateVerify13(body, s_tls13Schemes);
                AppendTranscript13(type, body);
                _step = Step.ServerWaitFinished;
                break;
            case Step.ServerWaitFinished when type == HandshakeType.Finished:
                CheckFinished13(body, _clientHsSecret!);
                AppendTranscript13(type, body);
                InstallRead13(3, _clientApSecret!, now);

                // RFC 9147 §5.7 note 1 / §7: the client's final flight has no reply but our ACK.
                _flight.Clear();
                _retransmitAt = null;
                CompleteHandshake13();
                QueueAck13();
                break;
            default:
                throw Unexpected(type, _step);
        }
    }

    /// <summary>
    /// RFC 9147 §5.1-§5.4 / RFC 8446 §4.1.1-§4.1.4: answers a ClientHello that offers DTLS 1.3.
    /// Until a valid cookie arrives (when one is required) nothing is kept: the HelloRetryRequest
    /// carries everything the second ClientHello needs in its cookie.
    /// </summary>
    private void ServerOnClientHello13(ClientHelloMessage ch, byte[] body, int messageSeq, ulong recordSeq, TimeSpan now)
    {
        // Before the cookie round trip (when one is required) the sender is unproven: a ClientHello we
        // cannot serve is dropped rather than allowed to fail the endpoint (RFC 9147 §5.1).
        if (_options.RequireCookie && ch.Cookie13 is null && !CanServe13(ch))
        {
            return;
        }

        // RFC 9147 §5.3: a DTLS 1.3 ClientHello's legacy_cookie is empty.
        if (ch.Cookie.Length != 0)
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, "DTLS 1.3 ClientHello with a non-empty legacy_cookie");
        }

        DtlsCipherSuite suite = default;
        foreach (DtlsCipherSuite s in _options.Dtls13CipherSuites)
        {
            if (Array.IndexOf(ch.CipherSuites, (ushort)s) >= 0)
            {
                suite = s;
                break;
            }
        }

        if (suite == default)
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.HandshakeFailure, "no DTLS 1.3 cipher suite in common");
        }

        ushort[] clientSchemes = ch.SignatureAlgorithms ?? [];
        if (!TryChooseTls13Scheme(clientSchemes, out SignatureScheme scheme))
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.HandshakeFailure, "no TLS 1.3 signature scheme in common");
        }

        // RFC 8446 §4.2.8: prefer a group the client already sent a share of (no HelloRetryRequest).
        ushort[] groups = ch.SupportedGroups ?? [];
        DtlsNamedGroup shareGroup = default;
        byte[]? clientShare = null;
        DtlsNamedGroup retryGroup = default;
        foreach (DtlsNamedGroup g in _options.Dtls13Groups)
        {
            if (Array.IndexOf(groups, (ushort)g) < 0)
            {
                continue;
            }

            if (retryGroup == default)
            {
                retryGroup = g;
            }

            if (shareGroup == default && ch.KeyShares is not null)
            {
                foreach ((ushort group, byte[] share) in ch.KeyShares)
                {
                    if (group == (ushort)g)
                    {
                        shareGroup = g;
                        clientShare = share;
                    }
                }
            }
        }

        if (retryGroup == default)
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.HandshakeFailure, "no key exchange group in common");
        }

        HashAlgorithmName hash = suite == DtlsCipherSuite.Tls13Aes256GcmSha384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        byte[]? clientHello1Hash = null;
        DtlsNamedGroup hrrGroup = default;
        if (ch.Cookie13 is not null)
        {
            if (!TryOpenCookie13(ch, suite, hash, out clientHello1Hash, out hrrGroup))
            {
                // RFC 9147 §5.1: an invalid cookie ends the handshake with illegal_parameter.
                throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, "invalid DTLS 1.3 cookie");
            }

            if (hrrGroup != default)
            {
                // RFC 8446 §4.1.4: the second ClientHello carries exactly the share we asked for.
                if (ch.KeyShares is not { Count: 1 } || ch.KeyShares[0].Group != (ushort)hrrGroup)
                {
                    throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, $"second ClientHello lacks the requested {hrrGroup} share");
                }

                shareGroup = hrrGroup;
                clientShare = ch.KeyShares[0].KeyExchange;
            }
        }
        else if (clientShare is null || _options.RequireCookie)
        {
            SendHelloRetryRequest13(ch, body, suite, hash, clientShare is null ? retryGroup : default, messageSeq, recordSeq);
            return;
        }

        if (clientShare is null)
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.HandshakeFailure, "no usable key share after HelloRetryRequest");
        }

        if (!KeyShare.TryRespond(shareGroup, clientShare, out byte[] serverShare, out byte[] sharedSecret))
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, $"client {shareGroup} key share is invalid");
        }

        ChooseSrtpProfile(ch);

        // From here on this ClientHello (from an address that proved itself when a cookie was required) owns the endpoint.
        if (_write[0]!.NextSequence < recordSeq)
        {
            _write[0]!.NextSequence = recordSeq;
        }

        _v13 = true;
        _suite = suite;
        _group13 = shareGroup;
        _clientRandom = ch.Random;
        RandomNumberGenerator.Fill(_serverRandom);
        _transcript13.Clear();
        if (clientHello1Hash is not null)
        {
            AppendMessageHash13(clientHello1Hash);
            AppendTranscript13(HandshakeType.ServerHello, BuildHelloRetryRequest13(suite, hrrGroup, ch.Cookie13!));
        }

        AppendTranscript13(HandshakeType.ClientHello, body);

        // RFC 9147 §5.2: our first message is message_seq 0, or 1 after a HelloRetryRequest (0).
        _sendMessageSeq = clientHello1Hash is null ? 0 : 1;
        var sh = new ServerHelloMessage
        {
            Version = ProtocolVersion.Dtls12,
            Random = _serverRandom,
            CipherSuite = (ushort)suite,
            SelectedVersion = ProtocolVersion.Dtls13,
            KeyShareGroup = (ushort)shareGroup,
            KeyShare = serverShare,
        };
        BeginFlight();
        var w = new MessageWriter(serverShare.Length + 128);
        sh.Write(w);
        AddHandshakeToFlight13(HandshakeType.ServerHello, w.ToArray(), 0);
        DeriveHandshakeKeys13(sharedSecret, now);

        var ee = new EncryptedExtensionsMessage
        {
            SrtpProfile = SrtpProfile is SrtpProfile p ? (ushort)p : null,
            SrtpMki = ch.SrtpMki,
        };
        w = new MessageWriter(64);
        ee.Write(w);
        AddHandshakeToFlight13(HandshakeType.EncryptedExtensions, w.ToArray(), 2);

        // RFC 8827 §6.5: WebRTC authenticates both ends, so the client's certificate is requested.
        w = new MessageWriter(64);
        new CertificateRequest13Message { Context = _certificateRequestContext, SignatureAlgorithms = s_tls13Schemes }.Write(w);
        AddHandshakeToFlight13(HandshakeType.CertificateRequest, w.ToArray(), 2);
        AddHandshakeToFlight13(HandshakeType.Certificate, Certificate13Message.Build(default, _certificate.Der), 2);
        AddHandshakeToFlight13(HandshakeType.CertificateVerify, BuildCertificateVerify13(scheme), 2);
        AddHandshakeToFlight13(HandshakeType.Finished, FinishedVerifyData13(_serverHsSecret!), 2);
        DeriveApplicationSecrets13();
        _received13.Clear();
        _step = Step.ServerWaitClientCertificate;
        EndFlight(now, expectReply: true);
    }

    private bool CanServe13(ClientHelloMessage ch)
    {
        bool suite = false;
        foreach (DtlsCipherSuite s in _options.Dtls13CipherSuites)
        {
            suite |= Array.IndexOf(ch.CipherSuites, (ushort)s) >= 0;
        }

        bool group = false;
        foreach (DtlsNamedGroup g in _options.Dtls13Groups)
        {
            group |= ch.SupportedGroups is not null && Array.IndexOf(ch.SupportedGroups, (ushort)g) >= 0;
        }

        return suite && group && ch.Cookie.Length == 0 && TryChooseTls13Scheme(ch.SignatureAlgorithms ?? [], out _);
    }

    private void ChooseSrtpProfile(ClientHelloMessage ch)
    {
        if (_options.SrtpProfiles.Count == 0)
        {
            return;
        }

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

    /// <summary>RFC 8446 §4.1.4 HelloRetryRequest: a ServerHello with the special random, the chosen suite, supported_versions, key_share (selected_group, when a share is wanted) and cookie. DTLS servers do not echo legacy_session_id (RFC 9147 §5).</summary>
    private static byte[] BuildHelloRetryRequest13(DtlsCipherSuite suite, DtlsNamedGroup group, byte[] cookie)
    {
        var hrr = new ServerHelloMessage
        {
            Version = ProtocolVersion.Dtls12,
            Random = ServerHelloMessage.HelloRetryRequestRandom,
            CipherSuite = (ushort)suite,
            SelectedVersion = ProtocolVersion.Dtls13,
            KeyShareGroup = group == default ? null : (ushort)group,
            Cookie13 = cookie,
        };
        var w = new MessageWriter(128);
        hrr.Write(w);
        return w.ToArray();
    }

    /// <summary>
    /// RFC 9147 §5.1: a stateless HelloRetryRequest. The cookie holds what the second ClientHello
    /// needs, authenticated: version 1 ‖ requested group ‖ suite ‖ Hash(ClientHello1) ‖ HMAC-SHA256
    /// (secret, client identity ‖ all of that ‖ client random)[0..16]. The record reuses the
    /// ClientHello's record number, as for the 1.2 HelloVerifyRequest.
    /// </summary>
    private void SendHelloRetryRequest13(ClientHelloMessage ch, byte[] body, DtlsCipherSuite suite, HashAlgorithmName hash, DtlsNamedGroup group, int messageSeq, ulong recordSeq)
    {
        byte[] clientHello1Hash;
        {
            var t = new MessageWriter(body.Length + 4);
            t.WriteUInt8((byte)HandshakeType.ClientHello);
            t.WriteUInt24(body.Length);
            t.WriteBytes(body);
            clientHello1Hash = Tls13KeySchedule.HashData(hash, t.WrittenSpan);
        }

        byte[] cookie = new byte[1 + 2 + 2 + 1 + clientHello1Hash.Length + CookieMacLength];
        cookie[0] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(cookie.AsSpan(1), (ushort)group);
        BinaryPrimitives.WriteUInt16BigEndian(cookie.AsSpan(3), (ushort)suite);
        cookie[5] = (byte)clientHello1Hash.Length;
        clientHello1Hash.CopyTo(cookie, 6);
        CookieMac13(cookie.AsSpan(0, cookie.Length - CookieMacLength), ch.Random, cookie.AsSpan(cookie.Length - CookieMacLength));

        byte[] hrr = BuildHelloRetryRequest13(suite, group, cookie);
        var datagram = new byte[DtlsRecord.HeaderLength + HandshakeFragment.HeaderLength + hrr.Length];
        Span<byte> payload = datagram.AsSpan(DtlsRecord.HeaderLength);
        HandshakeFragment.WriteHeader(payload, HandshakeType.ServerHello, hrr.Length, messageSeq, 0, hrr.Length);
        hrr.CopyTo(payload[HandshakeFragment.HeaderLength..]);
        DtlsRecord.WriteHeader(datagram, ContentType.Handshake, ProtocolVersion.Dtls12, 0, recordSeq, payload.Length);
        _transmit.Enqueue(datagram);
    }

    private void CookieMac13(ReadOnlySpan<byte> content, ReadOnlySpan<byte> clientRandom, Span<byte> mac)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _cookieSecret);
        hmac.AppendData("dtls13 cookie"u8);
        ReadOnlySpan<byte> identity = _options.CookieClientIdentity;
        Span<byte> len = [(byte)(identity.Length >> 8), (byte)identity.Length];
        hmac.AppendData(len);
        hmac.AppendData(identity);
        hmac.AppendData(content);
        hmac.AppendData(clientRandom);
        Span<byte> full = stackalloc byte[32];
        hmac.GetHashAndReset(full);
        full[..mac.Length].CopyTo(mac);
    }

    private bool TryOpenCookie13(ClientHelloMessage ch, DtlsCipherSuite suite, HashAlgorithmName hash, out byte[]? clientHello1Hash, out DtlsNamedGroup group)
    {
        clientHello1Hash = null;
        group = default;
        byte[] cookie = ch.Cookie13!;
        int hashLength = Tls13KeySchedule.HashLengthOf(hash);
        if (cookie.Length != 6 + hashLength + CookieMacLength || cookie[0] != 1 || cookie[5] != hashLength)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[CookieMacLength];
        CookieMac13(cookie.AsSpan(0, cookie.Length - CookieMacLength), ch.Random, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, cookie.AsSpan(cookie.Length - CookieMacLength)))
        {
            return false;
        }

        // RFC 8446 §4.1.4: the ServerHello's suite must be the HelloRetryRequest's.
        if (BinaryPrimitives.ReadUInt16BigEndian(cookie.AsSpan(3)) != (ushort)suite)
        {
            return false;
        }

        group = (DtlsNamedGroup)BinaryPrimitives.ReadUInt16BigEndian(cookie.AsSpan(1));
        clientHello1Hash = cookie.AsSpan(6, hashLength).ToArray();
        return true;
    }
}
