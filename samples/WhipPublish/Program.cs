// WhipPublish: publish audio to any WHIP server (RFC 9725): a 48 kHz 16-bit WAV file, or a sine tone.
//
//   dotnet run --project samples/WhipPublish -- URL SOURCE [SECONDS]
//
// URL is the WHIP endpoint (`rtcstack serve`'s http://127.0.0.1:8080/whip, or any other server); SOURCE a .wav file
// (PCM, 16-bit, 48000 Hz, mono or stereo) or a frequency in Hz for a tone; SECONDS stops early (default: the file's
// length, or 5 s of tone). A bearer token, if the server wants one, comes from the WHIP_TOKEN environment variable.
//
// What happens: WhipClient POSTs our SDP offer, takes the answer, trickles candidates by PATCH and runs the
// WebRtcSession on its own UDP socket and thread; we encode 20 ms frames with Opus and send them at real time;
// disposing the client DELETEs the session on the server.
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Signalling;

if (args.Length < 2 || !Uri.TryCreate(args[0], UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
{
    Console.Error.WriteLine("usage: WhipPublish URL (FILE.wav | HZ) [SECONDS]");
    return 2;
}

// 1. The audio, as 48 kHz mono samples: read from the WAV file, or made up as a sine.
short[] audio;
if (double.TryParse(args[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double hz) && hz is > 0 and < 24000)
{
    audio = new short[48000 * 5];
    for (int i = 0; i < audio.Length; i++)
    {
        audio[i] = (short)(0.3 * short.MaxValue * Math.Sin(2 * Math.PI * hz * i / 48000));
    }
}
else if (ReadWav(args[1], out string? problem) is short[] samples)
{
    audio = samples;
}
else
{
    Console.Error.WriteLine($"error: {args[1]}: {problem}");
    return 2;
}

double seconds = args.Length > 2 && double.TryParse(args[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 ? s : audio.Length / 48000.0;
int frames = (int)Math.Min(audio.Length / 960, seconds * 50); // 960 samples = 20 ms at 48 kHz

// 2. Connect: POST the offer, apply the answer, wait for ICE and DTLS. Any refusal is a WhipClientException.
WhipClient client;
try
{
    client = await WhipClient.ConnectAsync(new WhipClientOptions
    {
        EndpointUrl = url,
        BearerToken = Environment.GetEnvironmentVariable("WHIP_TOKEN"),
        BindAddress = url.IsLoopback ? IPAddress.Loopback : IPAddress.Any, // where our media socket listens
    });
    await client.WaitConnectedAsync(TimeSpan.FromSeconds(15));
}
catch (WhipClientException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

Console.WriteLine($"connected; session resource {client.ResourceUrl}");

// 3. Send. The session is not thread-safe: every call into it goes through client.Invoke, which runs on the
//    session's own thread and hands us its clock (`now`). OpusAudioSender encodes a frame and sends it as RTP.
await using (client)
{
    using OpusAudioSender sender = client.Invoke(_ => new OpusAudioSender(client.Session, client.Audio));
    TimeSpan start = client.Invoke(now => now);
    int sent = 0;
    while (sent < frames)
    {
        client.Invoke(now =>
        {
            // Every frame whose time has come (a frame every 20 ms since the start): real-time pacing.
            while (sent < frames && now - start >= TimeSpan.FromMilliseconds(20 * sent))
            {
                sender.Send(audio.AsSpan(sent * 960, 960), now);
                sent++;
            }
        });
        await Task.Delay(10);
    }

    Console.WriteLine($"sent {sent} Opus frames ({sent / 50.0:F1} s)");
}

// Leaving the `await using` DELETEd the session (RFC 9725 §4.2).
Console.WriteLine($"DELETE {client.ResourceUrl}: {client.DeleteStatus}");
return 0;

// A RIFF/WAVE file with 16-bit PCM at 48 kHz, mono or stereo (stereo is mixed down). Files are untrusted: every size
// is checked against what was read, and anything else gives a reason instead of an exception.
static short[]? ReadWav(string path, out string? problem)
{
    byte[] data;
    try
    {
        data = File.ReadAllBytes(path);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
    {
        problem = e.Message;
        return null;
    }

    problem = "not a RIFF/WAVE file";
    if (data.Length < 12 || !data.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !data.AsSpan(8, 4).SequenceEqual("WAVE"u8))
    {
        return null;
    }

    int channels = 0;
    for (int at = 12; at + 8 <= data.Length;)
    {
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at + 4));
        if (size > (uint)(data.Length - at - 8))
        {
            size = (uint)(data.Length - at - 8); // a chunk cut short: take what is there
        }

        ReadOnlySpan<byte> chunk = data.AsSpan(at + 8, (int)size);
        if (data.AsSpan(at, 4).SequenceEqual("fmt "u8) && chunk.Length >= 16)
        {
            ushort format = BinaryPrimitives.ReadUInt16LittleEndian(chunk);
            channels = BinaryPrimitives.ReadUInt16LittleEndian(chunk[2..]);
            uint rate = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(chunk[14..]);
            if (format != 1 || bits != 16 || rate != 48000 || channels is not (1 or 2))
            {
                problem = $"needs 16-bit PCM at 48000 Hz, mono or stereo (format {format}, {bits} bits, {rate} Hz, {channels} channels)";
                return null;
            }
        }
        else if (data.AsSpan(at, 4).SequenceEqual("data"u8) && channels != 0)
        {
            var samples = new short[chunk.Length / 2 / channels];
            for (int i = 0; i < samples.Length; i++)
            {
                int sum = 0;
                for (int c = 0; c < channels; c++)
                {
                    sum += BinaryPrimitives.ReadInt16LittleEndian(chunk[(((i * channels) + c) * 2)..]);
                }

                samples[i] = (short)(sum / channels);
            }

            problem = null;
            return samples;
        }

        at += 8 + (int)size + (int)(size & 1); // chunks are padded to an even length
    }

    problem = "no fmt chunk before the data chunk";
    return null;
}
