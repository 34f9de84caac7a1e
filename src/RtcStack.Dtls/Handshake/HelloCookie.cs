using System.Security.Cryptography;

namespace RtcStack.Dtls.Handshake;

/// <summary>
/// RFC 6347 §4.2.1 stateless cookie: Cookie = HMAC(Secret, Client-IP, Client-Parameters). We
/// bind the client identity the driver supplies (its transport address), client random, session
/// id and cipher suites — fields a client must repeat unchanged in its second ClientHello — so
/// answering a flood of ClientHellos keeps no per-client state.
/// </summary>
internal static class HelloCookie
{
    public const int Length = 20;

    public static void Compute(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> clientIdentity, ClientHelloMessage ch, Span<byte> cookie)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        Span<byte> len = stackalloc byte[2];
        len[0] = (byte)(clientIdentity.Length >> 8);
        len[1] = (byte)clientIdentity.Length;
        hmac.AppendData(len);
        hmac.AppendData(clientIdentity);
        hmac.AppendData(ch.Random);
        len[0] = (byte)ch.SessionId.Length;
        hmac.AppendData(len[..1]);
        hmac.AppendData(ch.SessionId);
        foreach (ushort s in ch.CipherSuites)
        {
            len[0] = (byte)(s >> 8);
            len[1] = (byte)s;
            hmac.AppendData(len);
        }

        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        mac[..Length].CopyTo(cookie);
    }
}
