using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The DTLS 1.3 record and message parsers on untrusted bytes (RFC 9147 §4, §7; RFC 8446 §4):
/// the input is read as a datagram of unified-header records, each deprotected with a fixed key
/// (record-number mask, sequence reconstruction against an expected value taken from the first
/// input byte, AEAD, inner content type), and the same bytes are handed to every 1.3 message
/// parser (ServerHello/HelloRetryRequest, ClientHello with key_share and cookie,
/// EncryptedExtensions, CertificateRequest, Certificate, ACK). None may throw.
/// </summary>
[FuzzTarget("dtls13-records")]
public sealed class Dtls13RecordTarget : IFuzzTarget
{
    private static readonly Dtls13RecordProtection s_protection = new(new byte[16], new byte[12], new byte[16]);
    private static readonly byte[] s_plaintext = new byte[(1 << 14) + 512];

    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        ulong expected = (ulong)data[0] << 8;
        ReadOnlySpan<byte> datagram = data[1..];
        while (Dtls13Record.TryRead(datagram, out Dtls13Record record, out int consumed))
        {
            ulong seq = s_protection.DecryptSequenceNumber(record, expected);
            if (s_protection.TryDecrypt(record, seq, s_plaintext, out ContentType type, out int length) && type == ContentType.Ack)
            {
                AckMessage.TryParse(s_plaintext.AsSpan(0, length), out _);
            }

            datagram = datagram[consumed..];
        }

        ReadOnlySpan<byte> body = data[1..];
        ServerHelloMessage.TryParse(body, out _);
        ClientHelloMessage.TryParse(body, out _);
        EncryptedExtensionsMessage.TryParse(body, out _);
        CertificateRequest13Message.TryParse(body, out _);
        Certificate13Message.TryParse(body, out _, out _);
        AckMessage.TryParse(body, out _);
    }
}
