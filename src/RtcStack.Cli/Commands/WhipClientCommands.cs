using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using RtcStack.Opus;
using RtcStack.Opus.Ogg;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Signalling;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack whip publish</c> and <c>rtcstack whep play</c>: a WHIP (RFC 9725) publisher and a WHEP player on
/// <see cref="WhipClient"/>, for someone else's server (or <c>rtcstack serve</c>).
/// </summary>
internal static class WhipClientCommands
{
    /// <summary>Exit code for a bad option value.</summary>
    public const int ExitUsage = 2;

    /// <summary>Exit code when the client could not run at all (libopus missing, a file that is not Ogg Opus).</summary>
    public const int ExitStartFailed = 3;

    /// <summary>Exit code when the endpoint refused us or the call did not connect.</summary>
    public const int ExitCallFailed = 4;

    private const string ExitCodes = "Exit codes: 0 done; 2 a bad option; 3 could not start (libopus missing, not an Ogg Opus file, DIR not writable); 4 the endpoint refused the offer, the call did not connect, or it broke and automatic ICE restarts could not bring it back.";

    public static Command CreateWhip()
    {
        var url = new Argument<string>("URL") { Description = "The WHIP endpoint URL (http or https)." };
        var file = new Option<FileInfo?>("--file") { Description = "An Ogg Opus file (RFC 7845) to send, paced at real time by its granule positions.", HelpName = "audio.ogg" };
        var tone = new Option<string?>("--tone") { Description = "Send a sine tone (Opus, 48 kHz mono, 20 ms frames) of HZ, 440 when no value is given.", HelpName = "HZ", Arity = ArgumentArity.ZeroOrOne };
        var common = new CommonOptions();
        var publish = new Command("publish", "Publish audio to a WHIP endpoint (RFC 9725): POST the offer, trickle candidates by PATCH, send Opus, DELETE the session when done (after --seconds, at the end of --file, or on Ctrl+C/SIGTERM). " + ExitCodes)
        {
            url, file, tone,
        };
        common.AddTo(publish);
        publish.SetAction(async (parse, ct) =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            FileInfo? f = parse.GetValue(file);
            OptionResult? toneResult = parse.GetResult(tone);
            double hz = 440;
            if ((f is null) == (toneResult is null))
            {
                error.WriteLine("error: give exactly one of --file FILE or --tone [HZ]");
                return ExitUsage;
            }

            if (toneResult is not null && toneResult.Tokens.Count > 0
                && (!double.TryParse(toneResult.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out hz) || hz is <= 0 or >= 24000))
            {
                error.WriteLine($"error: --tone '{toneResult.Tokens[0].Value}' must be a frequency in Hz between 0 and 24000");
                return ExitUsage;
            }

            if (common.Read(parse, WhipResourceKind.Whip, error) is not WhipClientOptions options)
            {
                return ExitUsage;
            }

            if (f is not null && !f.Exists)
            {
                error.WriteLine($"error: --file {f.FullName} does not exist");
                return ExitUsage;
            }

            return await PublishAsync(options, f, hz, common.Seconds(parse), common.ConnectTimeout(parse), common.IceRestartAt(parse), parse.InvocationConfiguration.Output, error, ct).ConfigureAwait(false);
        });
        return new Command("whip", "WHIP client (RFC 9725): publish audio to a WHIP endpoint.") { publish };
    }

    public static Command CreateWhep()
    {
        var url = new Argument<string>("URL") { Description = "The WHEP endpoint URL (http or https)." };
        var record = new Option<DirectoryInfo>("--record") { Description = "Write each received audio stream to DIR as an Ogg Opus file (RFC 7845), as `serve --record` does.", HelpName = "DIR", Required = true };
        var common = new CommonOptions();
        var play = new Command("play", "Play a WHEP stream: POST a recvonly offer, trickle candidates by PATCH, record the Opus audio received, DELETE the session when done (after --seconds or on Ctrl+C/SIGTERM). " + ExitCodes)
        {
            url, record,
        };
        common.AddTo(play);
        play.SetAction(async (parse, ct) =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            if (common.Read(parse, WhipResourceKind.Whep, error) is not WhipClientOptions options)
            {
                return ExitUsage;
            }

            DirectoryInfo dir = parse.GetValue(record)!;
            try
            {
                dir.Create();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                error.WriteLine($"error: --record {dir.FullName}: cannot write there ({e.Message})");
                return ExitStartFailed;
            }

            return await PlayAsync(options, dir, common.Seconds(parse), common.ConnectTimeout(parse), common.IceRestartAt(parse), parse.InvocationConfiguration.Output, error, ct).ConfigureAwait(false);
        });
        return new Command("whep", "WHEP client: play (record) audio from a WHEP endpoint.") { play };
    }

    private static async Task<int> PublishAsync(WhipClientOptions options, FileInfo? file, double hz, double seconds, TimeSpan connectTimeout, TimeSpan? iceRestartAt, TextWriter output, TextWriter error, CancellationToken ct)
    {
        OggOpusReader? reader = null;
        FileStream? stream = null;
        try
        {
            if (file is not null)
            {
                stream = file.OpenRead();
                reader = new OggOpusReader(stream);
                OggOpusReadResult headers = reader.ReadHeaders();
                if (headers != OggOpusReadResult.Packet)
                {
                    error.WriteLine($"error: --file {file.FullName} is not an Ogg Opus file ({headers})");
                    return ExitStartFailed;
                }
            }
            else if (!OpusLibrary.IsAvailable)
            {
                error.WriteLine("error: libopus (libopus.so.0) was not found; install it with `apt-get install libopus0` or set RTCSTACK_OPUS_LIBRARY to its path");
                return ExitStartFailed;
            }

            return await RunCallAsync(options, connectTimeout, iceRestartAt, output, error, ct, async (client, stop) =>
            {
                using OpusAudioSender? toneSender = file is null ? client.Invoke(_ => new OpusAudioSender(client.Session, client.Audio)) : null;
                short[] pcm = new short[960];
                long sent = 0;
                TimeSpan? start = null;
                long firstGranule = -1;
                byte[]? pending = null;
                long pendingGranule = 0;
                bool ended = false;
                while (!stop.IsCancellationRequested && !ended)
                {
                    client.Invoke(now =>
                    {
                        start ??= now;
                        TimeSpan elapsed = now - start.Value;
                        if (seconds > 0 && elapsed.TotalSeconds >= seconds)
                        {
                            ended = true;
                            return;
                        }

                        if (toneSender is not null)
                        {
                            long due = (elapsed.Ticks / TimeSpan.FromMilliseconds(20).Ticks) + 1;
                            for (int i = 0; i < 5 && sent < due; i++)
                            {
                                for (int k = 0; k < pcm.Length; k++)
                                {
                                    pcm[k] = (short)(0.3 * short.MaxValue * Math.Sin(2 * Math.PI * hz * ((sent * 960) + k) / 48000));
                                }

                                toneSender.Send(pcm, now);
                                sent++;
                            }

                            return;
                        }

                        // The file: each packet when its playback time (granule position, RFC 7845 §4) comes due.
                        for (int i = 0; i < 10; i++)
                        {
                            if (pending is null)
                            {
                                OggOpusReadResult r = reader!.Read(out OggOpusPacket p);
                                if (r != OggOpusReadResult.Packet)
                                {
                                    ended = true;
                                    return;
                                }

                                if (!p.IsValid)
                                {
                                    continue;
                                }

                                pending = p.Data.ToArray();
                                pendingGranule = p.StartGranule;
                                if (firstGranule < 0)
                                {
                                    firstGranule = pendingGranule;
                                }
                            }

                            if (TimeSpan.FromTicks((pendingGranule - firstGranule) * TimeSpan.TicksPerSecond / 48000) > elapsed)
                            {
                                return;
                            }

                            client.Session.SendAudio(client.Audio, pending, (uint)pendingGranule, now, marker: sent == 0);
                            pending = null;
                            sent++;
                        }
                    });
                    try
                    {
                        await Task.Delay(10, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                return $"sent {sent} Opus packets ({(file is null ? $"a {hz.ToString(CultureInfo.InvariantCulture)} Hz tone" : file.Name)})";
            }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: --file: {e.Message}");
            return ExitStartFailed;
        }
        finally
        {
            reader?.Dispose();
            stream?.Dispose();
        }
    }

    private static async Task<int> PlayAsync(WhipClientOptions options, DirectoryInfo dir, double seconds, TimeSpan connectTimeout, TimeSpan? iceRestartAt, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var recorders = new Dictionary<uint, (OggOpusWriter Writer, FileStream File)>();
        byte[] buffer = new byte[WebRtcSession.MaxDatagramSize];
        long received = 0;
        string? recordError = null;
        string stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        options.Activity = (session, _) =>
        {
            while (session.TryPollMedia(buffer, out ReceivedMedia m))
            {
                if (m.IsVideo || recordError is not null)
                {
                    continue;
                }

                received++;
                try
                {
                    if (!recorders.TryGetValue(m.Ssrc, out (OggOpusWriter Writer, FileStream File) r))
                    {
                        if (recorders.Count >= 4)
                        {
                            continue;
                        }

                        var file = new FileStream(Path.Combine(dir.FullName, $"{stamp}-whep-{m.Ssrc:x8}.opus"), FileMode.Create, FileAccess.Write, FileShare.Read);
                        r = (new OggOpusWriter(file, new OggOpusWriterOptions(), leaveOpen: true), file);
                        recorders[m.Ssrc] = r;
                    }

                    r.Writer.WriteRtpPacket(buffer.AsSpan(0, m.Length), m.Timestamp);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    recordError = e.Message;
                }
            }
        };
        int code = await RunCallAsync(options, connectTimeout, iceRestartAt, output, error, ct, async (client, stop) =>
        {
            try
            {
                await Task.Delay(seconds > 0 ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM.
            }

            return client.Invoke(_ => $"received {received} Opus packets, recorded to {dir.FullName}");
        }).ConfigureAwait(false);
        foreach ((OggOpusWriter writer, FileStream file) in recorders.Values)
        {
            try
            {
                writer.Finish();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                recordError ??= e.Message;
            }
            finally
            {
                writer.Dispose();
                file.Dispose();
            }
        }

        if (recordError is not null)
        {
            error.WriteLine("error: recording failed: " + recordError);
            return code == 0 ? ExitStartFailed : code;
        }

        return code;
    }

    /// <summary>
    /// Connects, runs <paramref name="media"/> until it returns or Ctrl+C/SIGTERM (restarting ICE once at
    /// <paramref name="iceRestartAt"/> after connecting, when given), then DELETEs (dispose). A failed restart is
    /// reported and makes the exit code 4; the media goes on.
    /// </summary>
    private static async Task<int> RunCallAsync(WhipClientOptions options, TimeSpan connectTimeout, TimeSpan? iceRestartAt, TextWriter output, TextWriter error, CancellationToken ct, Func<WhipClient, CancellationToken, Task<string>> media)
    {
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(ct);
        void Stop(PosixSignalContext ctx)
        {
            ctx.Cancel = true;
            stopped.Cancel();
        }

        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using PosixSignalRegistration intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        string verb = options.Kind == WhipResourceKind.Whep ? "whep play" : "whip publish";
        options.IceRestartEvent = e =>
        {
            lock (output)
            {
                output.WriteLine($"rtcstack {verb}: automatic ICE restart {e.Attempt}: {e.Step}{(e.StatusCode is int code ? $" ({code})" : "")}: {e.Message}");
                output.Flush();
            }
        };
        bool restartFailed = false;
        WhipClient client;
        try
        {
            client = await WhipClient.ConnectAsync(options, stopped.Token).ConfigureAwait(false);
        }
        catch (WhipClientException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCallFailed;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }

        await using (client.ConfigureAwait(false))
        {
            output.WriteLine($"rtcstack {verb}: session {client.ResourceUrl}{(client.Redirects > 0 ? $" (after {client.Redirects} redirect(s))" : "")}; {client.IceServerLinks.Count} ICE server link(s)");
            output.Flush();
            try
            {
                await client.WaitConnectedAsync(connectTimeout, stopped.Token).ConfigureAwait(false);
            }
            catch (WhipClientException e)
            {
                error.WriteLine($"error: {e.Message}");
                return ExitCallFailed;
            }
            catch (OperationCanceledException)
            {
                return 0;
            }

            output.WriteLine($"rtcstack {verb}: connected");
            output.Flush();
            Task<string?> restart = iceRestartAt is TimeSpan at ? RestartIceAtAsync(client, at, stopped.Token) : Task.FromResult<string?>(null);
            // The client ends the session itself when automatic ICE restarts cannot bring it back: the media stops then.
            using var mediaStop = CancellationTokenSource.CreateLinkedTokenSource(stopped.Token);
            _ = client.Ended.ContinueWith(
                t =>
                {
                    try
                    {
                        if (t.Result is not null)
                        {
                            mediaStop.Cancel();
                        }
                    }
                    catch (ObjectDisposedException)
                    {
                        // The media had ended already.
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            string summary = await media(client, mediaStop.Token).ConfigureAwait(false);
            output.WriteLine($"rtcstack {verb}: {summary}");
            if (client.Ended.IsCompleted && await client.Ended.ConfigureAwait(false) is string ended)
            {
                restartFailed = true;
                error.WriteLine($"error: the call ended: {ended}");
            }
            if (await restart.ConfigureAwait(false) is string restartError)
            {
                restartFailed = true;
                error.WriteLine($"error: {restartError}");
            }
            else if (iceRestartAt is not null)
            {
                output.WriteLine($"rtcstack {verb}: ICE restarts: {client.IceRestarts}; ETag now {client.ETag}");
            }
        }

        output.WriteLine($"rtcstack {verb}: DELETE {client.ResourceUrl}: {client.DeleteStatus}; PATCHes: [{string.Join(", ", client.PatchStatuses)}]");
        return restartFailed ? ExitCallFailed : 0;
    }

    /// <summary>Waits <paramref name="at"/>, then restarts ICE (RFC 9725 §4.3.3); returns the error, or null (also when stopped first).</summary>
    private static async Task<string?> RestartIceAtAsync(WhipClient client, TimeSpan at, CancellationToken stop)
    {
        try
        {
            await Task.Delay(at, stop).ConfigureAwait(false);
            await client.RestartIceAsync(stop).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (WhipClientException e)
        {
            return e.Message;
        }
    }

    /// <summary>The options both commands share.</summary>
    private sealed class CommonOptions
    {
        private readonly Option<string?> _token = new("--token") { Description = "Send 'Authorization: Bearer TOKEN' on every request (RFC 9725 §4.7.1)." };
        private readonly Option<double> _seconds = new("--seconds") { Description = "Stop after this many seconds of media (0: at the end of --file, or at Ctrl+C).", DefaultValueFactory = _ => 0, HelpName = "N" };
        private readonly Option<string?> _address = new("--address") { Description = "Local address of the media socket (the ICE host candidate). Default: 127.0.0.1 for a loopback URL, else every interface (0.0.0.0).", HelpName = "IP" };
        private readonly Option<double> _connectTimeout = new("--connect-timeout") { Description = "Seconds the call may take to connect (ICE and DTLS) after the answer.", DefaultValueFactory = _ => 15, HelpName = "SECONDS" };
        private readonly Option<double> _requestTimeout = new("--request-timeout") { Description = "Seconds each HTTP request may take.", DefaultValueFactory = _ => 10, HelpName = "SECONDS" };
        private readonly Option<bool> _noAutoRestart = new("--no-auto-ice-restart") { Description = "Do not restart ICE by itself when the call's ICE fails or stays disconnected (RFC 9725 §4.3.3); by default it does, up to 3 times per outage, and ends the call (exit code 4) if that does not help." };
        private readonly Option<double?> _iceRestartAt = new("--ice-restart-at") { Description = "Restart ICE once, this many seconds after connecting (RFC 9725 §4.3.3: a PATCH with new credentials); to test an endpoint's restart support. A refused restart makes the exit code 4.", HelpName = "SECONDS" };

        public void AddTo(Command command)
        {
            command.Options.Add(_token);
            command.Options.Add(_seconds);
            command.Options.Add(_address);
            command.Options.Add(_connectTimeout);
            command.Options.Add(_requestTimeout);
            command.Options.Add(_iceRestartAt);
            command.Options.Add(_noAutoRestart);
        }

        public TimeSpan? IceRestartAt(ParseResult parse) => parse.GetValue(_iceRestartAt) is double s ? TimeSpan.FromSeconds(s) : null;

        public double Seconds(ParseResult parse) => parse.GetValue(_seconds);

        public TimeSpan ConnectTimeout(ParseResult parse) => TimeSpan.FromSeconds(parse.GetValue(_connectTimeout));

        /// <summary>The client's options, or null after printing what is wrong.</summary>
        public WhipClientOptions? Read(ParseResult parse, WhipResourceKind kind, TextWriter error)
        {
            string text = parse.GetValue<string>("URL")!;
            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
            {
                error.WriteLine($"error: '{text}' is not an http or https URL");
                return null;
            }

            double seconds = parse.GetValue(_seconds);
            double connect = parse.GetValue(_connectTimeout);
            double request = parse.GetValue(_requestTimeout);
            if (double.IsNaN(seconds) || seconds is < 0 or > 86400)
            {
                error.WriteLine("error: --seconds must be 0-86400");
                return null;
            }

            if (parse.GetValue(_iceRestartAt) is double restartAt && (double.IsNaN(restartAt) || restartAt is < 0 or > 86400))
            {
                error.WriteLine("error: --ice-restart-at must be 0-86400 seconds");
                return null;
            }

            if (double.IsNaN(connect) || connect is <= 0 or > 3600 || double.IsNaN(request) || request is <= 0 or > 3600)
            {
                error.WriteLine("error: --connect-timeout and --request-timeout must be more than 0 and at most 3600 seconds");
                return null;
            }

            IPAddress bind;
            string? address = parse.GetValue(_address);
            if (address is not null)
            {
                if (!IPAddress.TryParse(address, out IPAddress? a))
                {
                    error.WriteLine($"error: --address '{address}' is not an IP address");
                    return null;
                }

                bind = a;
            }
            else
            {
                bind = url.IsLoopback ? (IPAddress.TryParse(url.IdnHost, out IPAddress? host) && IPAddress.IsLoopback(host) ? host : IPAddress.Loopback) : IPAddress.Any;
            }

            return new WhipClientOptions
            {
                EndpointUrl = url,
                Kind = kind,
                BearerToken = parse.GetValue(_token),
                BindAddress = bind,
                RequestTimeout = TimeSpan.FromSeconds(request),
                AutoIceRestart = !parse.GetValue(_noAutoRestart),
            };
        }
    }
}
