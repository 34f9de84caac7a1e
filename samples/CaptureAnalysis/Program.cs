// CaptureAnalysis: decrypt the SRTP in a packet capture and print RFC 3550 statistics per stream, with the
// libraries rather than the rtcstack tool (`rtcstack pcap decrypt` and `pcap streams` do the same from a shell).
//
//   dotnet run --project samples/CaptureAnalysis -- CALL.pcap PROFILE KEY [KEY]
//
// PROFILE is an SRTP profile (AES_CM_128_HMAC_SHA1_80, SRTP_AEAD_AES_128_GCM, ...), each KEY the master key ‖ salt in
// base64 (an SDES inline key, or what a DTLS-SRTP exporter gave one side). With two keys, one per direction, each
// UDP flow is decrypted with the first key that authenticates its packets.
//
// Steps: read each capture record (pcap or pcapng) → take out the UDP datagram → keep RTP and RTCP (RFC 7983 first
// byte) → unprotect with the flow's key → give the plain packet to the analyzer → print a row per SSRC.
using System.Globalization;
using RtcStack.Rtp;
using RtcStack.Rtp.Capture;
using RtcStack.Srtp;

if (args.Length is < 3 or > 4 || !SrtpProfileExtensions.TryParse(args[1], out SrtpProfile profile))
{
    Console.Error.WriteLine("usage: CaptureAnalysis CAPTURE PROFILE KEY [KEY]   (KEY: base64 of master key ‖ master salt)");
    return 2;
}

// One receiving context per key. A context keeps the rollover counter and replay window of every SSRC it has seen.
var contexts = new List<SrtpContext>();
foreach (string key in args[2..])
{
    byte[] material;
    try
    {
        material = Convert.FromBase64String(key);
    }
    catch (FormatException)
    {
        material = [];
    }

    if (material.Length != profile.MasterKeyLength() + profile.MasterSaltLength())
    {
        Console.Error.WriteLine($"error: {profile.SdesName()} needs {profile.MasterKeyLength()} + {profile.MasterSaltLength()} bytes of key and salt in base64");
        return 2;
    }

    contexts.Add(new SrtpContext(profile, material.AsSpan(0, profile.MasterKeyLength()), material.AsSpan(profile.MasterKeyLength())));
}

var analyzer = new RtpStreamAnalyzer();             // RFC 3550 loss, jitter, duplicates, reordering per (flow, SSRC)
var keyOfFlow = new Dictionary<UdpFlow, SrtpContext>(); // which key decrypts which direction
var failures = new Dictionary<uint, int>();          // SRTP packets no key could authenticate, by SSRC
byte[] buffer = new byte[65536];
int srtcp = 0;

FileStream file;
try
{
    file = File.OpenRead(args[0]);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {args[0]}: {e.Message}");
    return 2;
}

using var reader = new CaptureReader(file); // disposes the file too          // a damaged file gives a status and an error text, never an exception
CaptureReadStatus status;
while ((status = reader.ReadNext(out CaptureRecord record)) == CaptureReadStatus.Record)
{
    if (UdpDatagram.TryDissect(record.LinkType, record.Data.Span, out UdpDatagram udp) != UdpDissectStatus.Ok)
    {
        continue; // not UDP over IP, a fragment, or cut short by the snap length
    }

    DatagramKind kind = DatagramClassifier.Classify(udp.Payload);
    if (kind is not (DatagramKind.Rtp or DatagramKind.Rtcp))
    {
        continue; // STUN, DTLS and the rest are not media
    }

    // Try the flow's key first, then the others; a failed attempt leaves a context unchanged.
    UdpFlow flow = udp.Flow;
    int length = 0;
    SrtpContext? used = null;
    foreach (SrtpContext context in keyOfFlow.TryGetValue(flow, out SrtpContext? known) ? [known, .. contexts.Where(c => c != known)] : contexts)
    {
        udp.Payload.CopyTo(buffer); // unprotect works in place, so each attempt starts from the captured bytes
        SrtpStatus result = kind == DatagramKind.Rtp
            ? context.UnprotectRtp(buffer, udp.Payload.Length, out length)
            : context.UnprotectRtcp(buffer, udp.Payload.Length, out length);
        if (result == SrtpStatus.Ok)
        {
            used = context;
            break;
        }
    }

    if (used is null)
    {
        uint ssrc = kind == DatagramKind.Rtp && RtpPacket.TryParse(udp.Payload, out RtpPacket p) ? p.Ssrc : 0;
        failures[ssrc] = failures.GetValueOrDefault(ssrc) + 1;
        continue;
    }

    keyOfFlow[flow] = used;
    srtcp += kind == DatagramKind.Rtcp ? 1 : 0;
    analyzer.AddDatagram(record.TimestampNanoseconds, flow, buffer.AsSpan(0, length)); // plain RTP/RTCP now
}

Console.WriteLine($"{args[0]}: {reader.RecordsRead} records, {analyzer.Counters.Rtp} RTP and {srtcp} RTCP packets decrypted");
if (status != CaptureReadStatus.EndOfCapture)
{
    Console.WriteLine($"capture damaged at byte {reader.ErrorOffset}: {reader.Error}"); // the rows below cover what came before
}

Console.WriteLine("source                 destination            SSRC        PT  packets  lost  dup  ooo  jitter ms  auth failed");
foreach (RtpStreamStatistics s in analyzer.Streams)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{s.Key.Flow.Source,-22} {s.Key.Flow.Destination,-22} 0x{s.Key.Ssrc:X8} {s.PayloadType,3} {s.Packets,8} {s.Lost,5} {s.Duplicates,4} {s.OutOfOrder,4} {s.MeanJitterMs,10:F2} {failures.GetValueOrDefault(s.Key.Ssrc),12}"));
}

foreach ((uint ssrc, int count) in failures.Where(f => !analyzer.Streams.Any(s => s.Key.Ssrc == f.Key)))
{
    Console.WriteLine($"0x{ssrc:X8}: {count} packets failed authentication with every key");
}

foreach (SrtpContext context in contexts)
{
    context.Dispose();
}

return status == CaptureReadStatus.EndOfCapture ? 0 : 1;
