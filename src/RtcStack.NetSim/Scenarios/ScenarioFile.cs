using System.Text.Json;

namespace RtcStack.NetSim.Scenarios;

/// <summary>
/// Reads a JSON scenario file (untrusted input): never throws on bad content, and rejects anything the simulator
/// could not run — unknown link ids, non-finite or negative numbers, absurd sizes that would make a run hang or
/// allocate without bound — with a reason.
/// </summary>
public static class ScenarioFile
{
    /// <summary>Largest accepted file, characters.</summary>
    public const int MaxLength = 1 << 20;

    /// <summary>Longest accepted simulated duration, seconds (one day).</summary>
    public const double MaxDurationSeconds = 86_400;

    /// <summary>Most links, media flows or cross-traffic entries (counting <c>count</c>) in one scenario.</summary>
    public const int MaxItems = 256;

    /// <summary>Highest accepted link capacity, bps.</summary>
    public const double MaxBps = 100e9;

    /// <summary>Highest accepted CBR cross-traffic rate, bps.</summary>
    public const double MaxCbrBps = 10e9;

    /// <summary>Highest accepted video encoder rate, bps (bounds the packets one frame can make).</summary>
    public const double MaxMediaBps = 100e6;

    /// <summary>Parses and validates <paramref name="json"/>.</summary>
    public static bool TryParse(string json, out ScenarioDefinition? scenario, out string? error) => TryParse(json, null, out scenario, out error);

    /// <summary>
    /// Parses and validates <paramref name="json"/>; a flow's <c>controller</c> may name a built-in one or one of
    /// <paramref name="moreControllers"/> (loaded from an assembly or run as a process).
    /// </summary>
    public static bool TryParse(string json, IReadOnlyCollection<string>? moreControllers, out ScenarioDefinition? scenario, out string? error)
    {
        scenario = null;
        if (json.Length > MaxLength)
        {
            error = $"file longer than {MaxLength} characters";
            return false;
        }
        ScenarioDefinition? def;
        try
        {
            def = JsonSerializer.Deserialize(json, ScenarioJsonContext.Default.ScenarioDefinition);
        }
        catch (JsonException e)
        {
            error = e.Message;
            return false;
        }
        catch (NotSupportedException e)
        {
            error = e.Message;
            return false;
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }
        if (def is null)
        {
            error = "empty scenario";
            return false;
        }
        def = Normalise(def);
        error = Validate(def, moreControllers);
        if (error is not null)
        {
            return false;
        }
        scenario = def;
        return true;
    }

    // System.Text.Json leaves a collection null when the file says "null"; treat that as empty.
    private static ScenarioDefinition Normalise(ScenarioDefinition d) => d with
    {
        Name = d.Name ?? "custom",
        Description = d.Description ?? "",
        Links = (d.Links ?? []).Select(l => l is null ? null! : l with { Id = l.Id ?? "", Capacity = l.Capacity ?? [] }).ToList(),
        MediaFlows = (d.MediaFlows ?? []).Select(m => m is null ? null! : m with
        {
            Id = m.Id ?? "",
            Forward = m.Forward ?? [],
            Backward = m.Backward ?? [],
            Pauses = m.Pauses ?? [],
            Feedback = m.Feedback ?? "twcc",
        }).ToList(),
        CrossTraffic = (d.CrossTraffic ?? []).Select(c => c is null ? null! : c with
        {
            Id = c.Id ?? "",
            Type = c.Type ?? "cbr",
            Algorithm = c.Algorithm ?? "newreno",
            Forward = c.Forward ?? [],
            Backward = c.Backward ?? [],
        }).ToList(),
        Bottlenecks = d.Bottlenecks ?? [],
    };

    /// <summary>
    /// Checks a scenario built in code or changed after parsing (a sweep's parameters) as <see cref="TryParse(string, out ScenarioDefinition?, out string?)"/>
    /// checks a file; null when it can run, else the reason.
    /// </summary>
    public static string? Validate(ScenarioDefinition scenario, IReadOnlyCollection<string>? moreControllers = null) =>
        Check(Normalise(scenario), moreControllers);

    private static string? Check(ScenarioDefinition d, IReadOnlyCollection<string>? moreControllers)
    {
        if (!InRange(d.DurationSeconds, 1e-3, MaxDurationSeconds))
        {
            return $"durationSeconds must be in (0, {MaxDurationSeconds}]";
        }
        if (d.Links.Count > MaxItems || d.MediaFlows.Count > MaxItems || d.CrossTraffic.Count > MaxItems)
        {
            return $"at most {MaxItems} links, media flows and cross-traffic entries";
        }
        var ids = new HashSet<string>();
        foreach (LinkDefinition? l in d.Links)
        {
            if (l is null || l.Id.Length == 0 || !ids.Add(l.Id))
            {
                return "every link needs a unique id";
            }
            if (l.Capacity.Count > 100_000)
            {
                return $"link {l.Id}: too many capacity steps";
            }
            double last = double.NegativeInfinity;
            foreach (CapacityStep? s in l.Capacity)
            {
                if (s is null || !InRange(s.AtSeconds, 0, MaxDurationSeconds) || !InRange(s.Bps, 1_000, MaxBps) || s.AtSeconds < last)
                {
                    return $"link {l.Id}: capacity steps need ascending atSeconds and bps in [1000, {MaxBps}]";
                }
                last = s.AtSeconds;
            }
            if (!InRange(l.PropagationDelayMs, 0, 10_000) || !InRange(l.JitterMs, 0, 10_000) || !InRange(l.QueueMs, 0, 100_000)
                || l.QueueBytes is < 0 or > 1L << 32 || !InRange(l.LossRate, 0, 1))
            {
                return $"link {l.Id}: delay, jitter, queue or loss out of range";
            }
            if (l.GilbertElliott is { } ge && !(InRange(ge.PGoodToBad, 0, 1) && InRange(ge.PBadToGood, 0, 1) && InRange(ge.LossInGood, 0, 1) && InRange(ge.LossInBad, 0, 1)))
            {
                return $"link {l.Id}: Gilbert–Elliott probabilities must be in [0, 1]";
            }
        }
        int flows = 0;
        foreach (MediaFlowDefinition? m in d.MediaFlows)
        {
            if (m is null)
            {
                return "null media flow";
            }
            if ((CheckRoute(ids, m.Forward, m.Backward) ?? CheckLoopDelay(d, m.Forward, m.Backward, m.AccessDelayMs)) is { } e)
            {
                return $"media flow {m.Id}: {e}";
            }
            if (!InRange(m.StartSeconds, 0, MaxDurationSeconds) || m.StopSeconds is { } stop && !InRange(stop, m.StartSeconds, MaxDurationSeconds)
                || !InRange(m.AccessDelayMs, 0, 10_000) || !InRange(m.MinBps, 1_000, MaxMediaBps) || !InRange(m.MaxBps, m.MinBps, MaxMediaBps)
                || !InRange(m.StartBps, 0, MaxMediaBps) || !InRange(m.AudioBps, 0, 10_000_000) || !InRange(m.Rfc8888IntervalMs, 1, 10_000)
                || m.Pauses.Count > 10_000 || m.Pauses.Exists(p => p is null || p.Length != 2 || !InRange(p[0], 0, MaxDurationSeconds) || !InRange(p[1], p[0], MaxDurationSeconds)))
            {
                return $"media flow {m.Id}: times, rates or pauses out of range";
            }
            if (m.Feedback is not ("twcc" or "rfc8888"))
            {
                return $"media flow {m.Id}: feedback must be twcc or rfc8888";
            }
            if (m.Controller is { } cc && !ScenarioRunner.Controllers.Contains(cc.ToLowerInvariant())
                && (moreControllers is null || !moreControllers.Contains(cc, StringComparer.OrdinalIgnoreCase)))
            {
                return $"media flow {m.Id}: unknown controller {cc}";
            }
            flows++;
        }
        foreach (CrossTrafficDefinition? c in d.CrossTraffic)
        {
            if (c is null)
            {
                return "null cross-traffic entry";
            }
            if ((CheckRoute(ids, c.Forward, c.Backward) ?? (c.Type == "cbr" ? null : CheckLoopDelay(d, c.Forward, c.Backward, c.AccessDelayMs) ?? CheckConstrained(d, c.Forward))) is { } e)
            {
                return $"cross traffic {c.Id}: {e}";
            }
            if (c.Type is not ("cbr" or "tcp" or "tcp-short") || c.Algorithm.ToLowerInvariant() is not ("newreno" or "cubic"))
            {
                return $"cross traffic {c.Id}: type must be cbr, tcp or tcp-short and algorithm newreno or cubic";
            }
            if (!InRange(c.Count, 1, MaxItems) || (flows += c.Count) > MaxItems
                || !InRange(c.StartSeconds, 0, MaxDurationSeconds) || c.StopSeconds is { } stop && !InRange(stop, c.StartSeconds, MaxDurationSeconds)
                || !InRange(c.AccessDelayMs, 0, 10_000) || !InRange(c.Bps, 1_000, MaxCbrBps) || !InRange(c.PacketSize, 64, 65_535)
                || !InRange(c.FileBytes, 1, 1L << 40) || c.FileBytesMax is { } fmax && !InRange(fmax, c.FileBytes, 1L << 40)
                || c.InitiallyOn is { } on && !InRange(on, 0, c.Count) || !InRange(c.MeanIdleSeconds, 1e-3, MaxDurationSeconds)
                || !InRange(c.ReceiveWindowBytes, TcpMss, 1L << 30))
            {
                return $"cross traffic {c.Id}: count, times, rates or sizes out of range";
            }
        }
        foreach (string? b in d.Bottlenecks)
        {
            if (b is null || !ids.Contains(b))
            {
                return $"bottleneck {b} is not a link";
            }
        }
        return null;
    }

    private const int TcpMss = Tcp.TcpSenderEndpoint.Mss;

    private static string? CheckRoute(HashSet<string> ids, List<string> forward, List<string> backward)
    {
        if (forward.Count == 0 || forward.Count > 64 || backward.Count > 64)
        {
            return "needs 1–64 forward links and at most 64 backward links";
        }
        foreach (string? id in forward.Concat(backward))
        {
            if (id is null || !ids.Contains(id))
            {
                return $"unknown link {id}";
            }
        }
        return null;
    }

    /// <summary>
    /// A feedback loop (media and its feedback, TCP and its ACKs) whose round trip has no propagation or access
    /// delay at all can run forever without virtual time moving on (over unconstrained links a TCP window opens
    /// without bound at one instant), so at least 1 ms in total is required. Called after
    /// <see cref="CheckRoute"/>, so every id names a link.
    /// </summary>
    private static string? CheckLoopDelay(ScenarioDefinition d, List<string> forward, List<string> backward, double accessDelayMs)
    {
        double total = accessDelayMs;
        foreach (string id in forward.Concat(backward))
        {
            total += d.Links.Find(l => l.Id == id)!.PropagationDelayMs;
        }
        return total >= 1 ? null : "the round trip (propagation and access delays of the forward and backward links) must be at least 1 ms";
    }

    /// <summary>
    /// A TCP flow needs a bottleneck: over links that are all unconstrained its window opens to the whole receive
    /// window every round trip, which models nothing, and the run's cost grows with the window times the packets (a
    /// 50 ms run at a 1 ms round trip took 19 s in CI with the default 6 MiB window).
    /// </summary>
    private static string? CheckConstrained(ScenarioDefinition d, List<string> forward)
    {
        foreach (string id in forward)
        {
            LinkDefinition l = d.Links.Find(l => l.Id == id)!;
            if (l.Capacity.Count > 0 || l.TraceFile is not null)
            {
                return null;
            }
        }

        return "a TCP flow's forward links must include one with a capacity (capacity steps or a trace file)";
    }

    private static bool InRange(double v, double min, double max) => double.IsFinite(v) && v >= min && v <= max;
}
