using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace RtcStack.TestSupport.Dtls;

/// <summary>
/// BouncyCastle's own DTLS 1.2 client or server (DtlsClientProtocol / DtlsServerProtocol) with
/// DTLS-SRTP, mutual ECDSA authentication and the RFC 5705 exporter: an independent reference
/// peer for differential tests and the handshake benchmark. Blocking; run it on its own thread.
/// </summary>
public sealed class BcDtlsPeer
{
    private readonly BcTlsCrypto _crypto = new(new SecureRandom());
    private readonly Certificate _certificate;
    private readonly AsymmetricKeyParameter _privateKey;
    private int _exportLength;
    private byte[]? _exported;

    /// <summary>Creates a peer from a DER certificate and PKCS#8 DER private key (ECDSA).</summary>
    public BcDtlsPeer(byte[] certificateDer, byte[] pkcs8PrivateKey)
    {
        _certificate = new Certificate([_crypto.CreateCertificate(certificateDer)]);
        _privateKey = PrivateKeyFactory.CreateKey(pkcs8PrivateKey);
    }

    /// <summary>Gets or sets the cipher suites offered/accepted (IANA values); by default the three ECDHE_ECDSA AEAD suites (the peer has an ECDSA key only).</summary>
    public int[] CipherSuites { get; set; } =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>Gets or sets the SRTP protection profiles offered/accepted (RFC 5764 values).</summary>
    public int[] SrtpProfiles { get; set; } = [0x0001];

    /// <summary>Gets or sets the named groups offered (client); null means BouncyCastle's defaults.</summary>
    public int[]? NamedGroups { get; set; }

    /// <summary>Gets the DER of the certificate the other side presented.</summary>
    public byte[]? PeerCertificateDer { get; private set; }

    /// <summary>Gets the SRTP profile negotiated.</summary>
    public int SelectedSrtpProfile { get; private set; } = -1;

    /// <summary>Gets the cipher suite negotiated.</summary>
    public int SelectedCipherSuite { get; private set; } = -1;

    /// <summary>Gets the server-side DtlsServerProtocol switch for HelloVerifyRequest.</summary>
    public bool VerifyRequests { get; set; } = true;

    /// <summary>Runs a client handshake; returns the transport and the exporter output of <paramref name="exportLength"/> bytes.</summary>
    public (DtlsTransport Transport, byte[] Exported) Connect(DatagramTransport transport, int exportLength)
    {
        _exportLength = exportLength;
        var client = new Client(this);
        DtlsTransport t = new DtlsClientProtocol().Connect(client, transport);
        return (t, _exported!);
    }

    /// <summary>Runs a server handshake; returns the transport and the exporter output.</summary>
    public (DtlsTransport Transport, byte[] Exported) Accept(DatagramTransport transport, int exportLength)
    {
        _exportLength = exportLength;
        var server = new Server(this);
        var protocol = new DtlsServerProtocol { VerifyRequests = VerifyRequests };
        DtlsTransport t = protocol.Accept(server, transport);
        return (t, _exported!);
    }

    private TlsCredentialedSigner Signer(TlsContext context) =>
        new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), _crypto, _privateKey, _certificate,
            SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));

    private sealed class Client : DefaultTlsClient
    {
        private readonly BcDtlsPeer _peer;

        public Client(BcDtlsPeer peer)
            : base(peer._crypto)
        {
            _peer = peer;
        }

        public TlsClientContext? Context => m_context;

        // RFC 5705 export is only allowed from here in BouncyCastle.
        public override void NotifyHandshakeComplete()
        {
            base.NotifyHandshakeComplete();
            _peer._exported = m_context.ExportKeyingMaterial("EXTRACTOR-dtls_srtp", null, _peer._exportLength);
        }

        public override TlsAuthentication GetAuthentication() => new Auth(this);

        public override IDictionary<int, byte[]> GetClientExtensions()
        {
            IDictionary<int, byte[]> ext = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
            TlsSrtpUtilities.AddUseSrtpExtension(ext, new UseSrtpData(_peer.SrtpProfiles, []));
            return ext;
        }

        public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
        {
            base.ProcessServerExtensions(serverExtensions);
            UseSrtpData? d = TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions);
            _peer.SelectedSrtpProfile = d?.ProtectionProfiles[0] ?? -1;
        }

        public override void NotifySelectedCipherSuite(int selectedCipherSuite)
        {
            base.NotifySelectedCipherSuite(selectedCipherSuite);
            _peer.SelectedCipherSuite = selectedCipherSuite;
        }

        public override bool RequiresExtendedMasterSecret() => true;

        protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

        protected override int[] GetSupportedCipherSuites() => _peer.CipherSuites;

        protected override IList<int> GetSupportedGroups(IList<int> namedGroupRoles) =>
            _peer.NamedGroups is int[] g ? [.. g] : base.GetSupportedGroups(namedGroupRoles);

        private sealed class Auth : TlsAuthentication
        {
            private readonly Client _client;

            public Auth(Client client) => _client = client;

            public void NotifyServerCertificate(TlsServerCertificate serverCertificate) =>
                _client._peer.PeerCertificateDer = serverCertificate.Certificate.GetCertificateAt(0).GetEncoded();

            public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) => _client._peer.Signer(_client.m_context);
        }
    }

    private sealed class Server : DefaultTlsServer
    {
        private readonly BcDtlsPeer _peer;
        private int _profile = -1;

        public Server(BcDtlsPeer peer)
            : base(peer._crypto)
        {
            _peer = peer;
        }

        public TlsServerContext? Context => m_context;

        public override void NotifyHandshakeComplete()
        {
            base.NotifyHandshakeComplete();
            _peer._exported = m_context.ExportKeyingMaterial("EXTRACTOR-dtls_srtp", null, _peer._exportLength);
        }

        public override bool RequiresExtendedMasterSecret() => true;

        public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
        {
            base.ProcessClientExtensions(clientExtensions);
            UseSrtpData? d = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
            if (d is not null)
            {
                foreach (int p in _peer.SrtpProfiles)
                {
                    if (Array.IndexOf(d.ProtectionProfiles, p) >= 0)
                    {
                        _profile = p;
                        break;
                    }
                }
            }

            if (_profile < 0)
            {
                throw new TlsFatalAlert(AlertDescription.handshake_failure);
            }

            _peer.SelectedSrtpProfile = _profile;
        }

        public override IDictionary<int, byte[]> GetServerExtensions()
        {
            IDictionary<int, byte[]> ext = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetServerExtensions());
            TlsSrtpUtilities.AddUseSrtpExtension(ext, new UseSrtpData([_profile], []));
            return ext;
        }

        public override int GetSelectedCipherSuite()
        {
            int s = base.GetSelectedCipherSuite();
            _peer.SelectedCipherSuite = s;
            return s;
        }

        public override CertificateRequest GetCertificateRequest() =>
            new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
                [SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa),
                 SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.rsa)],
                null);

        public override void NotifyClientCertificate(Certificate clientCertificate)
        {
            if (clientCertificate.IsEmpty)
            {
                throw new TlsFatalAlert(AlertDescription.certificate_required);
            }

            _peer.PeerCertificateDer = clientCertificate.GetCertificateAt(0).GetEncoded();
        }

        protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

        protected override int[] GetSupportedCipherSuites() => _peer.CipherSuites;

        protected override TlsCredentialedSigner GetECDsaSignerCredentials() => _peer.Signer(m_context);
    }
}
