// SrtpOnly: SRTP and SRTCP (RFC 3711) with master keys exchanged in SDP Security Descriptions (SDES, RFC 4568),
// for a program that already moves its own packets (its own sockets, ICE or tunnel) and only needs the crypto.
//
// Two sides, Alice and Bob, in one process:
//   1. each makes a random master key and salt and writes it as an `a=crypto` line, as its SDP would carry it;
//   2. each reads the other's line: the key it unprotects with (SDES keys are per sender, RFC 4568 §6.1);
//   3. Alice protects RTP packets and sends them to Bob over a loopback UDP socket; Bob unprotects them;
//   4. Bob answers with an SRTCP receiver report;
//   5. what SRTP refuses: a packet changed on the way, and the same packet twice.
//
// Run: dotnet run --project samples/SrtpOnly [-- PACKETS]
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;
using RtcStack.Srtp;

int count = args.Length > 0 && int.TryParse(args[0], out int n) && n is > 0 and <= 10000 ? n : 50;
const SrtpProfile Profile = SrtpProfile.Aes128CmHmacSha1_80; // "AES_CM_128_HMAC_SHA1_80", the SDES default

// 1. Offer and answer: each side's key goes into its own a=crypto line (tag 1, the suite, inline:<base64(key ‖ salt)>).
string aliceLine = NewCryptoLine(Profile);
string bobLine = NewCryptoLine(Profile);
Console.WriteLine($"alice offers: {aliceLine}");
Console.WriteLine($"bob answers:  {bobLine}");

// 2. A side protects with its own key and unprotects with the key in the other side's line.
using SrtpContext aliceSend = ContextFrom(aliceLine), bobSend = ContextFrom(bobLine);
using SrtpContext bobReceive = ContextFrom(aliceLine), aliceReceive = ContextFrom(bobLine);

// Two UDP sockets on loopback stand in for whatever transport you already have.
using var alice = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
using var bob = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
alice.Bind(new IPEndPoint(IPAddress.Loopback, 0));
bob.Bind(new IPEndPoint(IPAddress.Loopback, 0));
bob.ReceiveTimeout = alice.ReceiveTimeout = 2000;

// 3. Alice sends `count` RTP packets (PT 0, 20 ms of 8 kHz audio each); Bob unprotects each in place.
const uint AliceSsrc = 0xA11CE, BobSsrc = 0xB0B;
byte[] wire = new byte[1500], payload = new byte[160];
int ok = 0, refused = 0, intact = 0;
for (int i = 0; i < count; i++)
{
    payload.AsSpan().Fill((byte)i); // stands in for encoded audio
    int length = RtpPacketWriter.Write(wire, new RtpHeader(PayloadType: 0, SequenceNumber: (ushort)(1000 + i), Timestamp: (uint)(i * 160), Ssrc: AliceSsrc), payload);
    aliceSend.ProtectRtp(wire, length, out int protectedLength); // encrypts the payload in place, appends the 10-byte tag
    alice.SendTo(wire.AsSpan(0, protectedLength), bob.LocalEndPoint!);

    int received = bob.Receive(wire);
    if (bobReceive.UnprotectRtp(wire, received, out int plainLength) != SrtpStatus.Ok)
    {
        refused++;
        continue;
    }

    ok++;
    if (RtpPacket.TryParse(wire.AsSpan(0, plainLength), out RtpPacket packet) && packet.Payload.SequenceEqual(payload))
    {
        intact++; // the same bytes Alice put in
    }
}

Console.WriteLine($"bob: {count} SRTP packets received, {ok} unprotected, {intact} with the payload Alice sent, {refused} refused");

// 4. Bob reports back: a compound RTCP packet (RR + SDES CNAME), protected as SRTCP with Bob's key.
var rtcp = new RtcpCompoundWriter(wire);
rtcp.TryAddReceiverReport(BobSsrc, []);
rtcp.TryAddCname(BobSsrc, "bob@example.org"u8);
bobSend.ProtectRtcp(wire, rtcp.Length, out int srtcpLength); // adds the E-flag/index word and the tag
bob.SendTo(wire.AsSpan(0, srtcpLength), alice.LocalEndPoint!);
int got = alice.Receive(wire);
SrtpStatus rtcpStatus = aliceReceive.UnprotectRtcp(wire, got, out int rtcpLength);
Console.WriteLine($"alice: SRTCP from bob {rtcpStatus}, {got} bytes on the wire, {rtcpLength} bytes of RTCP");

// 5. What SRTP refuses, leaving the stream's state alone: one more packet, changed on the way (the HMAC tag fails),
//    then the same packet unchanged (accepted), then that packet again (a replay, RFC 3711 §3.3.2).
int next = RtpPacketWriter.Write(wire, new RtpHeader(PayloadType: 0, SequenceNumber: (ushort)(1000 + count), Timestamp: (uint)(count * 160), Ssrc: AliceSsrc), payload);
aliceSend.ProtectRtp(wire, next, out int nextLength);
byte[] good = wire[..nextLength], tampered = wire[..nextLength];
tampered[20] ^= 0x01; // one bit of the encrypted payload
Console.WriteLine($"tampered packet: {bobReceive.UnprotectRtp(tampered, tampered.Length, out _)}");
Console.WriteLine($"original packet: {bobReceive.UnprotectRtp(good.ToArray(), good.Length, out _)}");
Console.WriteLine($"replayed packet: {bobReceive.UnprotectRtp(good, good.Length, out _)}");
return ok == count && intact == count && rtcpStatus == SrtpStatus.Ok ? 0 : 1;

// An SDES crypto attribute (RFC 4568 §9.1): "a=crypto:<tag> <crypto-suite> inline:<key ‖ salt, base64>".
static string NewCryptoLine(SrtpProfile profile)
{
    byte[] keyAndSalt = RandomNumberGenerator.GetBytes(profile.MasterKeyLength() + profile.MasterSaltLength());
    return $"a=crypto:1 {profile.SdesName()} inline:{Convert.ToBase64String(keyAndSalt)}";
}

// Reads a line written as above: the suite name gives the profile, the inline key gives key and salt.
// A real program must treat the peer's SDP as untrusted: TryParse and the length check refuse what does not fit.
static SrtpContext ContextFrom(string line)
{
    string[] parts = line.Split(' ');
    if (parts.Length < 3 || !SrtpProfileExtensions.TryParse(parts[1], out SrtpProfile profile) || !parts[2].StartsWith("inline:", StringComparison.Ordinal))
    {
        throw new FormatException($"not an SDES crypto line: {line}");
    }

    string inline = parts[2]["inline:".Length..].Split('|')[0]; // "|2^20|1:4" (lifetime, MKI) may follow the key
    byte[] keyAndSalt = Convert.FromBase64String(inline);
    int keyLength = profile.MasterKeyLength();
    if (keyAndSalt.Length != keyLength + profile.MasterSaltLength())
    {
        throw new FormatException($"{profile.SdesName()} needs {keyLength + profile.MasterSaltLength()} bytes of key and salt, got {keyAndSalt.Length}");
    }

    return new SrtpContext(profile, keyAndSalt.AsSpan(0, keyLength), keyAndSalt.AsSpan(keyLength));
}
