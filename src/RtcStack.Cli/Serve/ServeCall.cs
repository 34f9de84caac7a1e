using RtcStack.Opus;
using RtcStack.Opus.Ogg;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Signalling;

namespace RtcStack.Cli.Serve;

/// <summary>One call of <c>rtcstack serve</c>: echo or tone, optional recording, a stats snapshot for /status.</summary>
internal sealed class ServeCall : IDisposable
{
    private readonly byte[] _payload = new byte[PeerSession.MaxDatagramSize];
    private readonly Dictionary<uint, (OggOpusWriter Writer, FileStream File)> _recorders = [];
    private readonly List<string> _recordings = [];
    private readonly ServeOptions _options;
    private readonly Action<ServeCall, string>? _recordFailed;
    private uint _echoTimestamp;
    private uint? _echoBase;
    private bool _disposed;

    public ServeCall(SessionResource<PeerSession> resource, ServeOptions options, Action<ServeCall, string>? recordFailed = null)
    {
        Resource = resource;
        _options = options;
        _recordFailed = recordFailed;
        CreatedUtc = DateTimeOffset.UtcNow;
    }

    public SessionResource<PeerSession> Resource { get; }

    public DateTimeOffset CreatedUtc { get; }

    public OpusAudioSender? ToneSender { get; set; }

    public TimeSpan? ToneStart { get; set; }

    public long ToneFrames { get; set; }

    public long FramesReceived { get; private set; }

    public long FramesEchoed { get; private set; }

    public RtcStatsReport? Stats { get; set; }

    public PeerConnectionState State { get; set; }

    public TimeSpan? ConnectedAfter { get; set; }

    /// <summary>Gets the first recording error, if any: recording stopped there, the call went on.</summary>
    public string? RecordError { get; private set; }

    /// <summary>Gets the file names (not paths) of this call's recordings.</summary>
    public IReadOnlyList<string> Recordings
    {
        get
        {
            lock (_recordings)
            {
                return [.. _recordings];
            }
        }
    }

    /// <summary>Drains received media (under the session's lock): record it, echo it.</summary>
    public void Poll(TimeSpan now)
    {
        PeerSession s = Resource.Session;
        while (s.TryPollMedia(_payload, out ReceivedMediaFrame f))
        {
            FramesReceived++;
            ReadOnlySpan<byte> payload = _payload.AsSpan(0, f.PayloadLength);
            if (_options.RecordDirectory is DirectoryInfo dir && f.Status == OpusRtpReceiveStatus.Accepted && RecordError is null && !_disposed)
            {
                Record(dir, f, payload);
            }

            if (_options.Mode == ServeMode.Echo && Resource.Kind == WhipResourceKind.Whip && f.Status == OpusRtpReceiveStatus.Accepted)
            {
                // Our own RTP timeline, advanced by the sender's: timestamps stay consistent across its gaps.
                _echoBase ??= f.RtpTimestamp;
                _echoTimestamp = unchecked(f.RtpTimestamp - _echoBase.Value + 0x1000);
                if (s.SendRtp(payload, _echoTimestamp, f.Marker, now, f.AudioLevel, f.VoiceActivity))
                {
                    FramesEchoed++;
                }
            }
        }
    }

    /// <summary>Finishes the recordings (Ogg end of stream) and the tone encoder. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ToneSender?.Dispose();
        CloseRecorders();
    }

    private void CloseRecorders()
    {
        foreach ((OggOpusWriter writer, FileStream file) in _recorders.Values)
        {
            try
            {
                writer.Finish();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                Fail(e);
            }
            finally
            {
                writer.Dispose();
                try
                {
                    file.Dispose();
                }
                catch (IOException e)
                {
                    // Flushing the last bytes failed (disk full): the file is cut short.
                    Fail(e);
                }
            }
        }

        _recorders.Clear();
    }

    // A write error (directory gone, disk full, permissions) stops this call's recording; the call and its echo go on.
    private void Record(DirectoryInfo dir, in ReceivedMediaFrame f, ReadOnlySpan<byte> payload)
    {
        try
        {
            if (!_recorders.TryGetValue(f.Ssrc, out (OggOpusWriter Writer, FileStream File) r))
            {
                if (_recorders.Count >= 4)
                {
                    return;
                }

                dir.Create();
                string name = $"{CreatedUtc:yyyyMMdd-HHmmss}-{Resource.Label}-{f.Ssrc:x8}.opus";
                var file = new FileStream(Path.Combine(dir.FullName, name), FileMode.Create, FileAccess.Write, FileShare.Read);
                r = (new OggOpusWriter(file, new OggOpusWriterOptions(), leaveOpen: true), file);
                _recorders[f.Ssrc] = r;
                lock (_recordings)
                {
                    _recordings.Add(name);
                }
            }

            r.Writer.WriteRtpPacket(payload, f.RtpTimestamp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(e);
            CloseRecorders();
        }
    }

    private void Fail(Exception e)
    {
        if (RecordError is not null)
        {
            return;
        }

        RecordError = e.Message;
        _recordFailed?.Invoke(this, e.Message);
    }
}
