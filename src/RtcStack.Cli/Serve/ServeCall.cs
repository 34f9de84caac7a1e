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
    private readonly ServeOptions _options;
    private uint _echoTimestamp;
    private uint? _echoBase;

    public ServeCall(SessionResource resource, ServeOptions options)
    {
        Resource = resource;
        _options = options;
        CreatedUtc = DateTimeOffset.UtcNow;
    }

    public SessionResource Resource { get; }

    public DateTimeOffset CreatedUtc { get; }

    public OpusAudioSender? ToneSender { get; set; }

    public TimeSpan? ToneStart { get; set; }

    public long ToneFrames { get; set; }

    public long FramesReceived { get; private set; }

    public long FramesEchoed { get; private set; }

    public RtcStatsReport? Stats { get; set; }

    public PeerConnectionState State { get; set; }

    public TimeSpan? ConnectedAfter { get; set; }

    public IReadOnlyCollection<string> Recordings => _recorders.Values.Select(r => r.File.Name).ToList();

    /// <summary>Drains received media (under the session's lock): record it, echo it.</summary>
    public void Poll(TimeSpan now)
    {
        PeerSession s = Resource.Session;
        while (s.TryPollMedia(_payload, out ReceivedMediaFrame f))
        {
            FramesReceived++;
            ReadOnlySpan<byte> payload = _payload.AsSpan(0, f.PayloadLength);
            if (_options.RecordDirectory is DirectoryInfo dir && f.Status == OpusRtpReceiveStatus.Accepted)
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

    public void Dispose()
    {
        ToneSender?.Dispose();
        foreach ((OggOpusWriter writer, FileStream file) in _recorders.Values)
        {
            writer.Finish();
            writer.Dispose();
            file.Dispose();
        }

        _recorders.Clear();
    }

    private void Record(DirectoryInfo dir, in ReceivedMediaFrame f, ReadOnlySpan<byte> payload)
    {
        if (!_recorders.TryGetValue(f.Ssrc, out (OggOpusWriter Writer, FileStream File) r))
        {
            if (_recorders.Count >= 4)
            {
                return;
            }

            dir.Create();
            string path = Path.Combine(dir.FullName, $"{CreatedUtc:yyyyMMdd-HHmmss}-{Resource.Id[..8]}-{f.Ssrc:x8}.opus");
            var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
            r = (new OggOpusWriter(file, new OggOpusWriterOptions(), leaveOpen: true), file);
            _recorders[f.Ssrc] = r;
        }

        r.Writer.WriteRtpPacket(payload, f.RtpTimestamp);
    }
}
