using RtcStack.WebRtc;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// The receiving application: takes every video frame the session's frame buffer completed (VP8 depacketized, in
/// decode order) and checks that it is a frame the sender made, whole and unchanged (<see cref="TestVp8Frames"/>),
/// and newer than the last one.
/// </summary>
internal sealed class SessionMediaReceiver : ISessionApplication
{
    private byte[] _buffer = new byte[1 << 16];
    private int _lastIndex = -1;

    /// <summary>Frames that were whole, unchanged and in order.</summary>
    public long FramesAccepted { get; private set; }

    /// <summary>Audio payloads the session surfaced.</summary>
    public long AudioFrames { get; private set; }

    /// <summary>Anything else the session surfaced (a damaged or out-of-order video frame).</summary>
    public long FramesOther { get; private set; }

    public long KeyFrames { get; private set; }

    public long PayloadBytes { get; private set; }

    /// <summary>
    /// Gets or sets what is told of each accepted frame: when, and how long after its capture (the sender's RTP
    /// timestamp is its capture time at 90 kHz from virtual time 0).
    /// </summary>
    public Action<TimeSpan, TimeSpan>? OnFrame { get; set; }

    /// <summary>Accepted frames: RTP timestamp, size, key frame.</summary>
    public List<(uint Timestamp, int Size, bool Key)> Frames { get; } = [];

    public void Run(WebRtcSession session, TimeSpan now)
    {
        while (session.TryPollMedia(_buffer, out ReceivedMedia media, out bool fits))
        {
            if (!fits)
            {
                _buffer = new byte[Math.Max(media.Length, _buffer.Length * 2)];
                continue;
            }

            ReadOnlySpan<byte> data = _buffer.AsSpan(0, media.Length);
            if (!media.IsVideo)
            {
                AudioFrames++;
            }
            else if (media.IsVideo && TestVp8Frames.TryCheck(data, out int index, out bool key) && key == media.KeyFrame && index > _lastIndex)
            {
                _lastIndex = index;
                FramesAccepted++;
                KeyFrames += key ? 1 : 0;
                PayloadBytes += media.Length;
                Frames.Add((media.Timestamp, media.Length, key));
                OnFrame?.Invoke(now, now - TimeSpan.FromSeconds(media.Timestamp / 90_000.0));
            }
            else
            {
                FramesOther++;
            }
        }
    }

    public TimeSpan PollTimeout() => TimeSpan.MaxValue;
}
