using RtcStack.Opus;
using RtcStack.Opus.Ogg;
using RtcStack.Sctp.DataChannels;
using RtcStack.Sdp;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Signalling;

namespace RtcStack.Cli.Serve;

/// <summary>
/// One call of <c>rtcstack serve</c> on a <see cref="WebRtcSession"/>: echo (every audio packet and video frame back on its
/// own section; the peer's key frame requests passed on to its sender) or tone, optional recording of the Opus audio,
/// every data channel message echoed on its channel (in both modes), a stats snapshot for /status.
/// </summary>
internal sealed class ServeCall : IDisposable
{
    /// <summary>
    /// The most a call may hold queued for the peer on one data channel: an echo that would pass it is dropped and counted,
    /// so a client that sends and never reads (never acknowledges) cannot make the server buffer without bound.
    /// </summary>
    public const long MaxEchoBufferedBytes = 16L * 1024 * 1024;

    private byte[] _payload = new byte[64 * 1024];
    private readonly Dictionary<uint, (OggOpusWriter Writer, FileStream File)> _recorders = [];
    private readonly List<string> _recordings = [];
    private readonly ServeOptions _options;
    private readonly Action<ServeCall, string>? _recordFailed;
    private bool _disposed;

    public ServeCall(SessionResource<WebRtcSession> resource, ServeOptions options, Action<ServeCall, string>? recordFailed = null)
    {
        Resource = resource;
        _options = options;
        _recordFailed = recordFailed;
        CreatedUtc = DateTimeOffset.UtcNow;
    }

    public SessionResource<WebRtcSession> Resource { get; }

    public DateTimeOffset CreatedUtc { get; }

    public OpusAudioSender? ToneSender { get; set; }

    public TimeSpan? ToneStart { get; set; }

    public long ToneFrames { get; set; }

    public long FramesReceived { get; private set; }

    public long FramesEchoed { get; private set; }

    public long VideoFramesReceived { get; private set; }

    public long VideoFramesEchoed { get; private set; }

    public long DataMessagesReceived { get; private set; }

    public long DataMessagesEchoed { get; private set; }

    public long DataBytesEchoed { get; private set; }

    /// <summary>Gets the data channel messages not echoed: the channel was no longer open, or the echo would have passed <see cref="MaxEchoBufferedBytes"/>.</summary>
    public long DataEchoesDropped { get; private set; }

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
        WebRtcSession s = Resource.Session;
        while (s.TryPollMedia(_payload, out ReceivedMedia m, out bool fits))
        {
            if (!fits)
            {
                // A video frame larger than any before (the session's frame buffer bounds it): grow and poll again.
                _payload = new byte[Math.Max(m.Length, _payload.Length * 2)];
                continue;
            }

            ReadOnlySpan<byte> payload = _payload.AsSpan(0, m.Length);
            if (m.IsVideo)
            {
                VideoFramesReceived++;
            }
            else
            {
                FramesReceived++;
                if (_options.RecordDirectory is DirectoryInfo dir && RecordError is null && !_disposed)
                {
                    Record(dir, m, payload);
                }
            }

            if (_options.Mode != ServeMode.Echo || Resource.Kind != WhipResourceKind.Whip || s.Jsep.FindTransceiver(m.Mid) is not Transceiver t)
            {
                continue;
            }

            if (m.IsVideo)
            {
                if (s.SendVideoFrame(t, payload.ToArray(), m.Timestamp, m.KeyFrame, now))
                {
                    VideoFramesEchoed++;
                }
            }
            else if (s.SendAudio(t, payload, m.Timestamp, now))
            {
                FramesEchoed++;
            }
        }
    }

    /// <summary>A data channel event (under the session's lock): each message goes back on its own channel, as text or binary as it came.</summary>
    public void OnDataChannelEvent(DataChannelEvent e, TimeSpan now)
    {
        if (e is not DataChannelMessageEvent m)
        {
            return;
        }

        DataMessagesReceived++;
        WebRtcSession s = Resource.Session;
        if (m.Channel.State != DataChannelState.Open
            || s.GetDataChannelBufferedAmount(m.Channel) + m.Data.Length > MaxEchoBufferedBytes
            || m.Data.Length > s.MaxDataChannelMessageSize)
        {
            DataEchoesDropped++;
            return;
        }

        if (m.IsString)
        {
            s.SendDataChannelText(m.Channel, System.Text.Encoding.UTF8.GetString(m.Data), now);
        }
        else
        {
            s.SendDataChannelMessage(m.Channel, m.Data, now);
        }

        DataMessagesEchoed++;
        DataBytesEchoed += m.Data.Length;
    }

    /// <summary>The peer asked our echoed video for a key frame: we cannot encode one, so ask the peer's own sender.</summary>
    public void OnKeyframeRequested(string mid, TimeSpan now)
    {
        if (Resource.Session.Jsep.FindTransceiver(mid) is Transceiver t)
        {
            Resource.Session.RequestKeyframe(t, now);
        }
    }

    /// <summary>The first audio transceiver that sends, for the tone.</summary>
    public static Transceiver? AudioSender(WebRtcSession s)
    {
        foreach (MediaSectionInfo section in s.Sections)
        {
            if (section.Kind == MediaKind.Audio && section.Direction.Sends() && s.Jsep.FindTransceiver(section.Mid) is Transceiver t)
            {
                return t;
            }
        }

        return null;
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
    private void Record(DirectoryInfo dir, in ReceivedMedia f, ReadOnlySpan<byte> payload)
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

            r.Writer.WriteRtpPacket(payload, f.Timestamp);
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
