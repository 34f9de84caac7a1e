/*
 * A DTLS 1.3 peer for RtcStack's interop tests (WolfSslDtls13Tests), written for this repository
 * against wolfSSL's public API and linked with the libwolfssl.a that scripts/build-wolfssl-dtls13.sh
 * builds from Debian's source package. wolfSSL's own example client and server cannot serve here:
 * with DTLS 1.3 their SRTP key export (wolfSSL_export_dtls_srtp_keying_material in 5.5.4) runs the
 * TLS 1.2 PRF over handshake arrays already freed and crashes, and they cannot force a
 * HelloRetryRequest by group or send a KeyUpdate on request.
 *
 * Usage: wolfssl-dtls13-peer client|server PORT CERT KEY [options]
 *   client: connects to 127.0.0.1:PORT; server: listens on 127.0.0.1:PORT (PORT 0: any, printed)
 *   --groups x25519|p256|x25519,p256   the groups this side takes, most preferred first
 *   --no-key-share                      client: an empty key_share, so the server must send a HelloRetryRequest
 *   --key-update                        send a KeyUpdate (update_requested) before our first message
 *   --debug                             wolfSSL's debug log on stderr
 * After the handshake it prints, one per line and flushed: VERSION, CIPHER, GROUP, EKM (the 60-byte
 * RFC 5764 exporter output for SRTP_AES128_CM_SHA1_80, label EXTRACTOR-dtls_srtp, through the
 * RFC 8446 section 7.5 exporter, as above). Then it sends "ping from wolfSSL" and echoes every message it
 * receives as "echo: <message>" (printing RECV <message>) until it receives "bye"; a message
 * "key-update" makes it send a KeyUpdate before the echo. Exit status 0 after a clean end.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/kdf.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int AcceptAny(int preverify, WOLFSSL_X509_STORE_CTX* store)
{
    /* WebRTC checks the certificate's fingerprint, not a chain: the test compares fingerprints. */
    (void)preverify;
    (void)store;
    return 1;
}

static unsigned char s_exporterSecret[64];
static int s_exporterSecretLength;

static int OnSecret(WOLFSSL* ssl, int id, const unsigned char* secret, int secretSz, void* ctx)
{
    (void)ssl;
    (void)ctx;
    if (id == EXPORTER_SECRET && secretSz <= (int)sizeof s_exporterSecret) {
        memcpy(s_exporterSecret, secret, (size_t)secretSz);
        s_exporterSecretLength = secretSz;
    }

    return 0;
}

/* RFC 8446 section 7.5 with RFC 9147 section 5.9's prefix: TLS-Exporter(label, "", length) =
 * HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""), "exporter", Hash(""), length). */
static int Export(const char* label, unsigned char* out, int length)
{
    static const unsigned char prefix[] = "dtls13";
    unsigned char empty[WC_SHA256_DIGEST_SIZE];
    unsigned char derived[WC_SHA256_DIGEST_SIZE];
    static const unsigned char exporter[] = "exporter";
    if (s_exporterSecretLength != WC_SHA256_DIGEST_SIZE) return -1; /* TLS_AES_128_GCM_SHA256 only */
    static const byte none[1] = {0};
    if (wc_Sha256Hash(none, 0, empty) != 0) return -1;
    if (wc_Tls13_HKDF_Expand_Label(derived, sizeof derived, s_exporterSecret, (word32)s_exporterSecretLength,
            prefix, sizeof prefix - 1, (const byte*)label, (word32)strlen(label), empty, sizeof empty, WC_SHA256) != 0) return -1;
    return wc_Tls13_HKDF_Expand_Label(out, (word32)length, derived, sizeof derived,
        prefix, sizeof prefix - 1, exporter, sizeof exporter - 1, empty, sizeof empty, WC_SHA256);
}

static void Fail(WOLFSSL* ssl, int ret, const char* what)
{
    char text[WOLFSSL_MAX_ERROR_SZ];
    int err = ssl != NULL ? wolfSSL_get_error(ssl, ret) : ret;
    printf("ERROR %s %d %s\n", what, err, wolfSSL_ERR_error_string((unsigned long)err, text));
    fflush(stdout);
    exit(2);
}

static int ParseGroups(const char* list, int* groups)
{
    int n = 0;
    char copy[64];
    snprintf(copy, sizeof copy, "%s", list);
    for (char* name = strtok(copy, ","); name != NULL && n < 4; name = strtok(NULL, ",")) {
        if (strcmp(name, "x25519") == 0) {
            groups[n++] = WOLFSSL_ECC_X25519;
        }
        else if (strcmp(name, "p256") == 0) {
            groups[n++] = WOLFSSL_ECC_SECP256R1;
        }
        else {
            fprintf(stderr, "unknown group %s\n", name);
            exit(64);
        }
    }

    return n;
}

int main(int argc, char** argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s client|server PORT CERT KEY [--groups g,g] [--no-key-share] [--key-update] [--debug]\n", argv[0]);
        return 64;
    }

    int isServer = strcmp(argv[1], "server") == 0;
    int port = atoi(argv[2]);
    const char* groupList = NULL;
    int noKeyShare = 0, keyUpdate = 0, debug = 0;
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--groups") == 0 && i + 1 < argc) groupList = argv[++i];
        else if (strcmp(argv[i], "--no-key-share") == 0) noKeyShare = 1;
        else if (strcmp(argv[i], "--key-update") == 0) keyUpdate = 1;
        else if (strcmp(argv[i], "--debug") == 0) debug = 1;
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 64; }
    }

    /* A test that loses us never leaves the process behind. */
    alarm(60);
    wolfSSL_Init();

    WOLFSSL_CTX* ctx = wolfSSL_CTX_new(isServer ? wolfDTLSv1_3_server_method() : wolfDTLSv1_3_client_method());
    if (ctx == NULL) Fail(NULL, -1, "CTX_new");
    if (wolfSSL_CTX_use_certificate_file(ctx, argv[3], WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) Fail(NULL, -1, "certificate");
    if (wolfSSL_CTX_use_PrivateKey_file(ctx, argv[4], WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) Fail(NULL, -1, "key");
    /* Both sides present and ask for a certificate, as in WebRTC (RFC 8827 section 6.5). */
    wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, AcceptAny);
    /* wolfSSL 5.5.4 returns WOLFSSL_SUCCESS here (OpenSSL returns 0 on success). */
    if (wolfSSL_CTX_set_tlsext_use_srtp(ctx, "SRTP_AES128_CM_SHA1_80") != WOLFSSL_SUCCESS) Fail(NULL, -1, "use_srtp");

    WOLFSSL* ssl = wolfSSL_new(ctx);
    if (ssl == NULL) Fail(NULL, -1, "new");
    if (wolfSSL_set_tls13_secret_cb(ssl, OnSecret, NULL) != WOLFSSL_SUCCESS) Fail(ssl, -1, "set_tls13_secret_cb");
    wolfSSL_KeepArrays(ssl); /* wolfSSL derives the exporter secret only when it keeps its handshake arrays */
    if (groupList != NULL) {
        int groups[4];
        int n = ParseGroups(groupList, groups);
        if (wolfSSL_set_groups(ssl, groups, n) != WOLFSSL_SUCCESS) Fail(ssl, -1, "set_groups");
        if (!isServer && !noKeyShare && wolfSSL_UseKeyShare(ssl, (word16)groups[0]) != WOLFSSL_SUCCESS) Fail(ssl, -1, "UseKeyShare");
    }

    if (noKeyShare && wolfSSL_NoKeyShares(ssl) != WOLFSSL_SUCCESS) Fail(ssl, -1, "NoKeyShares");

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)port);
    if (isServer) {
        if (bind(fd, (struct sockaddr*)&addr, sizeof addr) != 0) { perror("bind"); return 1; }
        socklen_t len = sizeof addr;
        getsockname(fd, (struct sockaddr*)&addr, &len);
        printf("LISTENING %d\n", ntohs(addr.sin_port));
        fflush(stdout);
        /* Learn the client's address from its first datagram (left queued), then talk only to it. */
        struct sockaddr_in from;
        socklen_t fromLen = sizeof from;
        char peek[1];
        if (recvfrom(fd, peek, sizeof peek, MSG_PEEK, (struct sockaddr*)&from, &fromLen) < 0) { perror("recvfrom"); return 1; }
        if (connect(fd, (struct sockaddr*)&from, fromLen) != 0) { perror("connect"); return 1; }
        wolfSSL_dtls_set_peer(ssl, &from, fromLen);
    }
    else {
        wolfSSL_dtls_set_peer(ssl, &addr, sizeof addr);
    }

    wolfSSL_set_fd(ssl, fd);
    if (debug) {
        wolfSSL_Debugging_ON(); /* from the handshake on: certificate loading is noise */
    }

    int ret = isServer ? wolfSSL_accept(ssl) : wolfSSL_connect(ssl);
    if (ret != WOLFSSL_SUCCESS) Fail(ssl, ret, "handshake");

    const char* curve = wolfSSL_get_curve_name(ssl);
    printf("VERSION %s\nCIPHER %s\nGROUP %s\n", wolfSSL_get_version(ssl),
        wolfSSL_CIPHER_get_name(wolfSSL_get_current_cipher(ssl)), curve != NULL ? curve : "none");
    unsigned char ekm[60];
    if (Export("EXTRACTOR-dtls_srtp", ekm, sizeof ekm) != 0) Fail(ssl, -1, "exporter");
    printf("EKM ");
    for (size_t i = 0; i < sizeof ekm; i++) printf("%02X", ekm[i]);
    printf("\n");
    fflush(stdout);

    if (keyUpdate && (ret = wolfSSL_update_keys(ssl)) != WOLFSSL_SUCCESS) Fail(ssl, ret, "update_keys");
    static const char ping[] = "ping from wolfSSL";
    if ((ret = wolfSSL_write(ssl, ping, sizeof ping - 1)) != (int)sizeof ping - 1) Fail(ssl, ret, "write");

    char in[2048];
    char out[2100];
    for (;;) {
        ret = wolfSSL_read(ssl, in, sizeof in - 1);
        if (ret <= 0) {
            int err = wolfSSL_get_error(ssl, ret);
            if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE) continue;
            Fail(ssl, ret, "read");
        }

        in[ret] = 0;
        printf("RECV %s\n", in);
        fflush(stdout);
        if (strcmp(in, "key-update") == 0 && (ret = wolfSSL_update_keys(ssl)) != WOLFSSL_SUCCESS) Fail(ssl, ret, "update_keys");
        int n = snprintf(out, sizeof out, "echo: %s", in);
        if ((ret = wolfSSL_write(ssl, out, n)) != n) Fail(ssl, ret, "write");
        if (strcmp(in, "bye") == 0) break;
    }

    wolfSSL_shutdown(ssl);
    printf("DONE\n");
    fflush(stdout);
    wolfSSL_free(ssl);
    wolfSSL_CTX_free(ctx);
    wolfSSL_Cleanup();
    close(fd);
    return 0;
}
