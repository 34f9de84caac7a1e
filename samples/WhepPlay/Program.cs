// WhepPlay: play a WHEP stream into a WAV file (48 kHz, 16-bit, mono).
//
//   dotnet run --project samples/WhepPlay -- URL OUT.wav [SECONDS]
//
// URL is the WHEP endpoint (`rtcstack serve --mode tone`'s http://127.0.0.1:8080/whep, or any other server);
// SECONDS is how long to listen (default 5). A bearer token, if needed, comes from the WHIP_TOKEN environment variable.
//
// What happens: WhipClient (with Kind = Whep) POSTs a receive-only offer and runs the WebRtcSession; each Opus frame
// the session delivers is decoded by OpusAudioReceiver (which also fills gaps from FEC or loss concealment) and the
// samples go into memory; at the end they are written out as a WAV file and the session is DELETEd.
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Signalling;

if (args.Length < 2 || !Uri.TryCreate(args[0], UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
{
    Console.Error.WriteLine("usage: WhepPlay URL OUT.wav [SECONDS]");
    return 2;
}

string outPath = args[1];
double seconds = args.Length > 2 && double.TryParse(args[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 ? s : 5;

// 1. Receiving: the Activity callback runs on the session's thread whenever datagrams came in. TryPollMedia hands out
//    each media frame (the RTP payload, here Opus) with its SSRC, sequence number and timestamp.
using var decoder = new OpusAudioReceiver(sampleRate: 48000, channels: 1);
byte[] payload = new byte[WebRtcSession.MaxDatagramSize];
short[] pcm = new short[decoder.MaxOutputSamples];
var received = new List<short>();
int frames = 0;
var options = new WhipClientOptions
{
    EndpointUrl = url,
    Kind = WhipResourceKind.Whep, // play, not publish: the offer is receive-only
    BearerToken = Environment.GetEnvironmentVariable("WHIP_TOKEN"),
    BindAddress = url.IsLoopback ? IPAddress.Loopback : IPAddress.Any,
    Activity = (session, now) =>
    {
        while (session.TryPollMedia(payload, out ReceivedMedia media))
        {
            if (media.IsVideo)
            {
                continue; // this sample keeps the audio only
            }

            int samples = decoder.Decode(payload.AsSpan(0, media.Length), media, pcm); // 0 for a frame it refused
            received.AddRange(pcm.AsSpan(0, samples));
            frames++;
        }
    },
};

// 2. Connect, listen for SECONDS, then leave (disposing the client DELETEs the session).
try
{
    await using WhipClient client = await WhipClient.ConnectAsync(options);
    await client.WaitConnectedAsync(TimeSpan.FromSeconds(15));
    Console.WriteLine($"connected; session resource {client.ResourceUrl}");
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    client.Invoke(_ => Console.WriteLine($"received {frames} Opus frames, {decoder.ConcealedSamples} samples concealed"));
}
catch (WhipClientException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

// 3. The WAV file: a RIFF header (44 bytes for PCM) and the samples, little-endian.
byte[] wav = new byte[44 + (received.Count * 2)];
"RIFF"u8.CopyTo(wav);
BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(4), wav.Length - 8);
"WAVEfmt "u8.CopyTo(wav.AsSpan(8));
BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(16), 16);          // fmt chunk size
BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(20), 1);           // PCM
BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(22), 1);           // mono
BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(24), 48000);       // samples per second
BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(28), 48000 * 2);   // bytes per second
BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(32), 2);           // bytes per sample frame
BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(34), 16);          // bits per sample
"data"u8.CopyTo(wav.AsSpan(36));
BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(40), received.Count * 2);
for (int i = 0; i < received.Count; i++)
{
    BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(44 + (i * 2)), received[i]);
}

File.WriteAllBytes(outPath, wav);
Console.WriteLine($"wrote {outPath}: {received.Count / 48000.0:F2} s of audio");
return frames > 0 ? 0 : 1;
