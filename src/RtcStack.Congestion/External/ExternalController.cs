namespace RtcStack.Congestion.External;

/// <summary>
/// An <see cref="ICongestionController"/> whose decisions come from outside (a Python script, any program), over the
/// line protocol of <see cref="ExternalControllerProtocol"/>. It keeps the send history so each feedback report goes
/// out with send times and sizes, sends a tick every <see cref="TickInterval"/> of virtual time, and takes the target,
/// pacing and padding rates from each answer. It asks for no probes.
/// </summary>
public sealed class ExternalController : ICongestionController, IDisposable
{
    /// <summary>Pacing rate as a multiple of the target when an answer gives none (as GCC's 2.5).</summary>
    public const double DefaultPacingFactor = 2.5;

    /// <summary>Tick interval until the controller sets another with <c>tickMs</c>.</summary>
    public static readonly TimeSpan DefaultTickInterval = TimeSpan.FromMilliseconds(100);

    private readonly IExternalControllerChannel _channel;
    private readonly SentPacketHistory _history = new();
    private TimeSpan _nextTick;
    private TimeSpan? _rtt;
    private long _queuedBytes;
    private bool _ended;

    /// <summary>Creates the controller and sends <c>init</c>; throws <see cref="ExternalControllerException"/> on a bad answer.</summary>
    public ExternalController(string name, IExternalControllerChannel channel, CongestionControllerSettings settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(settings);
        Name = name;
        _channel = channel;
        TargetBitrateBps = settings.StartBitrateBps;
        PacingRateBps = (long)(settings.StartBitrateBps * DefaultPacingFactor);
        Ask(ExternalControllerProtocol.Init(name, settings));
        _nextTick = TickInterval;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public long TargetBitrateBps { get; private set; }

    /// <inheritdoc/>
    public long PacingRateBps { get; private set; }

    /// <inheritdoc/>
    public long PaddingRateBps { get; private set; }

    /// <summary>Gets the interval between ticks of virtual time.</summary>
    public TimeSpan TickInterval { get; private set; } = DefaultTickInterval;

    /// <summary>Gets the number of request lines answered so far.</summary>
    public long Exchanges { get; private set; }

    /// <inheritdoc/>
    public void OnPacketSent(in SentPacket packet) => _history.Add(packet);

    /// <inheritdoc/>
    public void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now) =>
        Ask(ExternalControllerProtocol.Feedback(now, feedback, _history, _queuedBytes, _rtt));

    /// <inheritdoc/>
    public void OnRoundTripTime(TimeSpan rtt, TimeSpan now) => _rtt = rtt;

    /// <inheritdoc/>
    public void OnSendQueue(long queuedBytes, TimeSpan now) => _queuedBytes = queuedBytes;

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
        if (now < _nextTick)
        {
            return;
        }
        // One tick per call even after a long gap (a paused flow): ticks are a clock, not a backlog.
        _nextTick = now + TickInterval;
        Ask(ExternalControllerProtocol.Tick(now, _queuedBytes, _rtt));
    }

    /// <inheritdoc/>
    public TimeSpan PollTimeout() => _nextTick;

    /// <inheritdoc/>
    public bool TryPollProbe(out ProbeClusterConfig probe)
    {
        probe = default;
        return false;
    }

    /// <summary>Sends <c>end</c> once.</summary>
    public void Dispose()
    {
        if (!_ended)
        {
            _ended = true;
            _channel.Send(ExternalControllerProtocol.End());
        }
    }

    private void Ask(string request)
    {
        ObjectDisposedException.ThrowIf(_ended, this);
        string answer = _channel.Exchange(request);
        if (!ExternalControllerProtocol.TryParseAnswer(answer, out ExternalControllerAnswer a, out string? error))
        {
            throw new ExternalControllerException($"controller '{Name}' answered badly to {Describe(request)}: {error}");
        }
        Exchanges++;
        TargetBitrateBps = (long)a.TargetBps;
        PacingRateBps = (long)(a.PacingBps ?? a.TargetBps * DefaultPacingFactor);
        PaddingRateBps = (long)(a.PaddingBps ?? 0);
        if (a.TickMs is { } ms)
        {
            TimeSpan old = TickInterval;
            TickInterval = TimeSpan.FromMilliseconds(ms);
            _nextTick += TickInterval - old;
        }
    }

    private static string Describe(string request) => request.Length > 80 ? request[..80] + "…" : request;
}
