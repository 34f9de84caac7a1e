namespace RtcStack.NetSim.Sources;

/// <summary>
/// Statistical video encoder model after RFC 8593 §4–5: frames at a fixed rate whose sizes average the encoder rate
/// with truncated-Gaussian noise; the encoder rate follows the controller's target only every update interval and by a
/// bounded ratio, except after a big change, which it follows at once with a key frame and smaller following frames
/// (the transient) so the average over the transient stays at the new rate.
/// </summary>
public sealed class VideoSource : IMediaSource
{
    private readonly VideoSourceOptions _o;
    private readonly Random _rng;
    private double _targetBps;
    private double _rateBps;
    private TimeSpan _nextUpdate;
    private int _transientLeft;
    private TimeSpan _frameInterval;

    /// <summary>Creates a source with its own random stream.</summary>
    public VideoSource(VideoSourceOptions options, Random rng)
    {
        _o = options;
        _rng = rng;
        _rateBps = options.MinBps;
        _targetBps = options.MinBps;
        _frameInterval = TimeSpan.FromSeconds(1 / options.Fps);
    }

    /// <inheritdoc/>
    public bool IsAudio => false;

    /// <inheritdoc/>
    public int ClockRate => 90_000;

    /// <inheritdoc/>
    public TimeSpan NextFrameTime { get; private set; } = TimeSpan.MaxValue;

    /// <inheritdoc/>
    public double CurrentRateBps => _rateBps;

    /// <inheritdoc/>
    public void Start(TimeSpan at)
    {
        NextFrameTime = at;
        _nextUpdate = at;
        _transientLeft = _o.TransientFrames;
    }

    /// <inheritdoc/>
    public void SetTargetBitrate(double bps, TimeSpan now) => _targetBps = Math.Clamp(bps, _o.MinBps, _o.MaxBps);

    /// <inheritdoc/>
    public int ProduceFrame()
    {
        TimeSpan now = NextFrameTime;
        if (now >= _nextUpdate)
        {
            _nextUpdate = now + _o.UpdateInterval;
            double change = (_targetBps - _rateBps) / _rateBps;
            if (Math.Abs(change) > _o.BigChangeRatio)
            {
                _rateBps = _targetBps;
                _transientLeft = _o.TransientFrames;
            }
            else
            {
                double step = Math.Clamp(change, -_o.MaxUpdateRatio, _o.MaxUpdateRatio);
                _rateBps *= 1 + step;
            }
            _rateBps = Math.Clamp(_rateBps, _o.MinBps, _o.MaxBps);
        }
        double avg = _rateBps / _o.Fps / 8;
        double size;
        if (_transientLeft > 0)
        {
            int n = _o.TransientFrames;
            size = _transientLeft == n
                ? avg * _o.KeyFrameRatio
                : avg * Math.Max(n - _o.KeyFrameRatio, 0.5) / Math.Max(n - 1, 1);
            _transientLeft--;
        }
        else
        {
            size = avg * (1 + _o.SizeNoise * TruncatedGaussian());
        }
        NextFrameTime += _frameInterval;
        return Math.Max((int)size, 1);
    }

    private double TruncatedGaussian()
    {
        double z;
        do
        {
            double u1 = 1.0 - _rng.NextDouble();
            double u2 = _rng.NextDouble();
            z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        while (Math.Abs(z) > 3);
        return z;
    }
}
