using RtcStack.Congestion;
using RtcStack.Congestion.Feedback;
using RtcStack.Congestion.Gcc;
using RtcStack.Congestion.Nada;
using RtcStack.Congestion.Scream;
using RtcStack.NetSim.Endpoints;
using RtcStack.NetSim.Links;
using RtcStack.NetSim.Metrics;
using RtcStack.NetSim.Sources;
using RtcStack.NetSim.Tcp;

namespace RtcStack.NetSim.Scenarios;

/// <summary>Builds a <see cref="Simulator"/> from a <see cref="ScenarioDefinition"/>, runs it and collects metrics.</summary>
public static class ScenarioRunner
{
    /// <summary>Controllers known by name.</summary>
    public static IReadOnlyList<string> Controllers { get; } = ["gcc", "nada", "scream"];

    /// <summary>Creates a controller by name for a flow, sized to the flow's encoder range.</summary>
    public static ICongestionController CreateController(string name, MediaFlowDefinition flow) => CreateController(name, flow, null);

    /// <summary>
    /// Creates a built-in controller by name for a flow, with named parameters (a sweep's <c>cc.NAME</c> axis; see
    /// <see cref="ParameterNames"/>). Throws <see cref="ArgumentException"/> for an unknown controller or parameter.
    /// </summary>
    public static ICongestionController CreateController(string name, MediaFlowDefinition flow, IReadOnlyDictionary<string, double>? parameters)
    {
        CongestionControllerSettings settings = SettingsFor(flow, parameters);
        switch (name.ToLowerInvariant())
        {
            case "gcc":
                var gcc = new GccOptions
                {
                    MaxBitrateBps = settings.MaxBitrateBps,
                    MinBitrateBps = settings.MinBitrateBps,
                    StartBitrateBps = settings.StartBitrateBps,
                };
                foreach ((string key, double v) in settings.Parameters)
                {
                    gcc = key switch
                    {
                        "pacingFactor" => gcc with { PacingFactor = v },
                        "alrProbing" => gcc with { AlrProbing = v != 0 },
                        "initialProbing" => gcc with { InitialProbing = v != 0 },
                        _ => throw UnknownParameter("gcc", key),
                    };
                }
                return new GccController(gcc);
            case "nada":
                var nada = new NadaParameters { RMin = flow.MinBps, RMax = flow.MaxBps, StartRate = Math.Max(flow.StartBps, flow.MinBps) };
                foreach ((string key, double v) in settings.Parameters)
                {
                    nada = key switch
                    {
                        "prio" => nada with { Prio = v },
                        "xRef" => nada with { XRef = v },
                        "kappa" => nada with { Kappa = v },
                        "eta" => nada with { Eta = v },
                        "tau" => nada with { Tau = v },
                        "qEps" => nada with { QEps = v },
                        "qBound" => nada with { QBound = v },
                        "qTh" => nada with { QTh = v },
                        "lambda" => nada with { Lambda = v },
                        "gammaMax" => nada with { GammaMax = v },
                        "logWin" => nada with { LogWin = v },
                        _ => throw UnknownParameter("nada", key),
                    };
                }
                return new NadaController(nada);
            case "scream":
                var scream = new ScreamParameters
                {
                    TargetBitrateMin = settings.MinBitrateBps,
                    TargetBitrateMax = settings.MaxBitrateBps,
                    StartBitrate = settings.StartBitrateBps,
                };
                foreach ((string key, double v) in settings.Parameters)
                {
                    scream = key switch
                    {
                        "qdelayTargetLo" => scream with { QdelayTargetLo = v },
                        "qdelayTargetHi" => scream with { QdelayTargetHi = v },
                        "rampUpSpeed" => scream with { RampUpSpeed = v },
                        "preCongestionGuard" => scream with { PreCongestionGuard = v },
                        "txQueueSizeFactor" => scream with { TxQueueSizeFactor = v },
                        "betaLoss" => scream with { BetaLoss = v },
                        "gain" => scream with { Gain = v },
                        "mss" => scream with { Mss = v },
                        "compensateCompetingFlows" => scream with { CompensateCompetingFlows = v != 0 },
                        _ => throw UnknownParameter("scream", key),
                    };
                }
                return new ScreamController(scream);
            default:
                throw new ArgumentException($"Unknown controller '{name}' (known: gcc, nada, scream).", nameof(name));
        }
    }

    /// <summary>Parameter names the built-in controllers accept in <see cref="CreateController(string, MediaFlowDefinition, IReadOnlyDictionary{string, double})"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ParameterNames { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["gcc"] = ["pacingFactor", "alrProbing", "initialProbing"],
        ["nada"] = ["prio", "xRef", "kappa", "eta", "tau", "qEps", "qBound", "qTh", "lambda", "gammaMax", "logWin"],
        ["scream"] = ["qdelayTargetLo", "qdelayTargetHi", "rampUpSpeed", "preCongestionGuard", "txQueueSizeFactor", "betaLoss", "gain", "mss", "compensateCompetingFlows"],
    };

    /// <summary>
    /// The settings every controller of a flow gets (GCC's sizing): wire-level rates covering video and audio, from
    /// 30 kbps to the encoder maximum plus the audio, starting at the encoder start rate plus the audio.
    /// </summary>
    public static CongestionControllerSettings SettingsFor(MediaFlowDefinition flow, IReadOnlyDictionary<string, double>? parameters = null) => new()
    {
        MaxBitrateBps = (long)(flow.MaxBps + flow.AudioBps),
        MinBitrateBps = 30_000,
        StartBitrateBps = (long)(flow.StartBps + flow.AudioBps),
        Parameters = parameters ?? new Dictionary<string, double>(),
    };

    private static ArgumentException UnknownParameter(string controller, string key) =>
        new($"{controller} has no parameter '{key}' (it has: {string.Join(", ", ParameterNames[controller])}).");

    /// <summary>Runs <paramref name="definition"/> with <paramref name="controller"/> for flows that do not name one.</summary>
    public static ScenarioResult Run(ScenarioDefinition definition, string controller, int seed, ScenarioRunOptions? options = null)
    {
        options ??= new ScenarioRunOptions();
        Func<string, MediaFlowDefinition, ICongestionController> factory = options.ControllerFactory ?? CreateController;
        double duration = options.Duration?.TotalSeconds ?? definition.DurationSeconds;
        var sim = new Simulator(seed);
        var metrics = new MetricsCollector();
        int stream = 0;
        var links = new Dictionary<string, Link>();
        foreach (LinkDefinition ld in definition.Links)
        {
            links[ld.Id] = new Link(sim, BuildLinkOptions(ld, options.BaseDirectory), ++stream);
        }
        foreach (string b in definition.Bottlenecks)
        {
            metrics.AddLink(links[b], b);
        }

        var probesByFlow = new Dictionary<int, MetricsCollector.FlowProbe>();
        var senders = new List<(MediaSenderEndpoint S, MediaReceiverEndpoint R, FlowSeries F)>();
        var external = new List<(MediaFlowEndpoints Ends, FlowSeries F)>();
        var mediaFlowIds = new HashSet<int>();
        int node = 1;
        int flowId = 0;
        foreach (MediaFlowDefinition m in definition.MediaFlows)
        {
            int senderNode = node++, receiverNode = node++;
            int id = flowId++;
            string ccName = m.Controller ?? controller;
            var flowOptions = new MediaFlowOptions
            {
                Start = TimeSpan.FromSeconds(m.StartSeconds),
                Stop = TimeSpan.FromSeconds(m.StopSeconds ?? duration),
                Pauses = m.Pauses.Select(p => (TimeSpan.FromSeconds(p[0]), TimeSpan.FromSeconds(p[1]))).ToList(),
                Video = m.Video ? new VideoSourceOptions { MinBps = m.MinBps, MaxBps = m.MaxBps } : null,
                AudioBps = m.AudioBps,
                Feedback = m.Feedback.Equals("rfc8888", StringComparison.OrdinalIgnoreCase) ? FeedbackFormat.Rfc8888 : FeedbackFormat.Twcc,
                Rfc8888Interval = TimeSpan.FromMilliseconds(m.Rfc8888IntervalMs),
            };
            var senderAddr = new SimAddress(senderNode, 5000);
            var receiverAddr = new SimAddress(receiverNode, 5000);
            SetRoutes(sim, links, senderNode, receiverNode, m.Forward, m.Backward, m.AccessDelayMs, ref stream);
            mediaFlowIds.Add(id);
            if (options.MediaFlowFactory is { } factoryOfEnds)
            {
                MediaFlowEndpoints ends = factoryOfEnds(new MediaFlowSetup(sim, m, id, ccName, flowOptions, senderAddr, receiverAddr));
                var externalSeries = new FlowSeries(m.Id, "media", ends.ControllerName)
                {
                    StartSeconds = m.StartSeconds,
                    StopSeconds = Math.Min(m.StopSeconds ?? duration, duration),
                };
                MetricsCollector.FlowProbe externalProbe = metrics.AddFlow(externalSeries, ends.TargetBitrateBps);
                probesByFlow[id] = externalProbe;
                ends.AttachProbe(externalProbe);
                sim.Attach(senderAddr, ends.Sender, id);
                sim.Attach(receiverAddr, ends.Receiver, 10_000 + id);
                external.Add((ends, externalSeries));
                continue;
            }

            ICongestionController cc = factory(ccName, m);
            var sender = new MediaSenderEndpoint(cc, flowOptions, receiverAddr, (uint)(0x1000 * (id + 1)), sim.CreateRandom(1000 + id));
            var receiver = new MediaReceiverEndpoint(flowOptions, senderAddr);
            var series = new FlowSeries(m.Id, "media", cc.Name)
            {
                StartSeconds = m.StartSeconds,
                StopSeconds = Math.Min(m.StopSeconds ?? duration, duration),
            };
            MetricsCollector.FlowProbe probe = metrics.AddFlow(series, () => cc.TargetBitrateBps);
            probesByFlow[id] = probe;
            receiver.OnRtpReceived = (now, info, packet) => probe.OnReceived(packet.WireSize, now, packet.QueueDelay, !info.IsPadding);
            receiver.OnFrameComplete = probe.OnFrame;
            if (options.RtpLog is { } log)
            {
                sender.OnRtpSent = (now, info) => log.WriteLine("S " + RtpLogLine.Format(now, info));
                receiver.OnRtpReceived += (now, info, _) => log.WriteLine("R " + RtpLogLine.Format(now, info));
            }
            sim.Attach(senderAddr, sender, id);
            sim.Attach(receiverAddr, receiver, 10_000 + id);
            senders.Add((sender, receiver, series));
        }

        foreach (CrossTrafficDefinition c in definition.CrossTraffic)
        {
            for (int k = 0; k < c.Count; k++)
            {
                int senderNode = node++, receiverNode = node++;
                int id = flowId++;
                string name = c.Count > 1 ? $"{c.Id}-{k + 1}" : c.Id;
                var senderAddr = new SimAddress(senderNode, 6000);
                var receiverAddr = new SimAddress(receiverNode, 6000);
                TimeSpan start = TimeSpan.FromSeconds(c.StartSeconds), stop = TimeSpan.FromSeconds(c.StopSeconds ?? duration);
                ISimEndpoint snd, rcv;
                string kind;
                if (c.Type == "cbr")
                {
                    snd = new CbrUdpEndpoint(receiverAddr, c.Bps, c.PacketSize, start, stop);
                    rcv = new SinkEndpoint();
                    kind = "cbr";
                }
                else
                {
                    var tcpOptions = new TcpSenderOptions
                    {
                        Algorithm = c.Algorithm.Equals("cubic", StringComparison.OrdinalIgnoreCase) ? TcpCongestionAlgorithm.Cubic : TcpCongestionAlgorithm.NewReno,
                        Start = start,
                        Stop = stop,
                        FileBytes = c.Type == "tcp-short" ? c.FileBytes : 0,
                        FileBytesMax = c.Type == "tcp-short" ? c.FileBytesMax ?? c.FileBytes : 0,
                        StartsIdle = c.Type == "tcp-short" && c.InitiallyOn is { } on && k >= on,
                        MeanIdle = TimeSpan.FromSeconds(c.MeanIdleSeconds),
                        ReceiveWindowBytes = c.ReceiveWindowBytes,
                    };
                    snd = new TcpSenderEndpoint(tcpOptions, receiverAddr, sim.CreateRandom(2000 + id));
                    rcv = new TcpReceiverEndpoint();
                    kind = "tcp";
                }
                SetRoutes(sim, links, senderNode, receiverNode, c.Forward, c.Backward, c.AccessDelayMs, ref stream);
                var series = new FlowSeries(name, kind, c.Algorithm)
                {
                    StartSeconds = c.StartSeconds,
                    StopSeconds = Math.Min(c.StopSeconds ?? duration, duration),
                };
                probesByFlow[id] = metrics.AddFlow(series, () => double.NaN);
                sim.Attach(senderAddr, snd, id);
                sim.Attach(receiverAddr, rcv, 10_000 + id);
            }
        }

        sim.OnSent = (p, _) =>
        {
            if (probesByFlow.TryGetValue(p.FlowId, out MetricsCollector.FlowProbe? probe))
            {
                probe.OnSent(p.WireSize);
            }
        };
        sim.OnDelivered = (p, now) =>
        {
            // Media flows count received bytes in the receiver callback; cross traffic here.
            if (p.Tag is not MediaPacketInfo && p.FlowId < 10_000 && !mediaFlowIds.Contains(p.FlowId) && probesByFlow.TryGetValue(p.FlowId, out MetricsCollector.FlowProbe? probe))
            {
                probe.OnReceived(p.WireSize, now, p.QueueDelay, false);
            }
        };
        foreach (Link l in links.Values)
        {
            l.OnDropped += (p, _) =>
            {
                if (probesByFlow.TryGetValue(p.FlowId, out MetricsCollector.FlowProbe? probe))
                {
                    probe.OnDropped();
                }
            };
        }
        sim.Attach(new SimAddress(0, 1), metrics, -1);

        int seconds = (int)Math.Ceiling(duration);
        for (int s = 1; s <= seconds; s++)
        {
            sim.RunUntil(TimeSpan.FromSeconds(Math.Min(s, duration)));
            options.Progress?.Invoke(Math.Min(s / duration, 1));
        }
        foreach ((MediaSenderEndpoint s, MediaReceiverEndpoint r, FlowSeries f) in senders)
        {
            f.MediaBytesSent = s.BytesSent;
            f.FeedbackBytes = r.FeedbackBytesSent;
        }
        foreach ((MediaFlowEndpoints ends, FlowSeries f) in external)
        {
            f.MediaBytesSent = ends.MediaBytesSent();
            f.FeedbackBytes = ends.FeedbackBytesSent();
        }
        var def = definition with { DurationSeconds = duration };
        return new ScenarioResult(def, controller, seed, duration, metrics.Times, metrics.Flows, metrics.Links, sim.EventCount);
    }

    private static void SetRoutes(Simulator sim, Dictionary<string, Link> links, int from, int to,
        List<string> forward, List<string> backward, double accessDelayMs, ref int stream)
    {
        var fwd = new List<Link>();
        var bwd = new List<Link>();
        if (accessDelayMs > 0)
        {
            var access = new LinkOptions { Name = "access", PropagationDelay = TimeSpan.FromMilliseconds(accessDelayMs), QueueLimitTime = null };
            fwd.Add(new Link(sim, access, ++stream));
        }
        foreach (string id in forward)
        {
            fwd.Add(links.TryGetValue(id, out Link? l) ? l : throw new ArgumentException($"Unknown link '{id}'."));
        }
        foreach (string id in backward)
        {
            bwd.Add(links.TryGetValue(id, out Link? l) ? l : throw new ArgumentException($"Unknown link '{id}'."));
        }
        if (accessDelayMs > 0)
        {
            var access = new LinkOptions { Name = "access", PropagationDelay = TimeSpan.FromMilliseconds(accessDelayMs), QueueLimitTime = null };
            bwd.Add(new Link(sim, access, ++stream));
        }
        sim.SetRoute(from, to, [.. fwd]);
        sim.SetRoute(to, from, [.. bwd]);
    }

    private static LinkOptions BuildLinkOptions(LinkDefinition ld, string? baseDirectory)
    {
        MahimahiTrace? trace = null;
        if (ld.TraceFile is { } file)
        {
            string path = Path.IsPathRooted(file) || baseDirectory is null ? file : Path.Combine(baseDirectory, file);
            if (!MahimahiTrace.TryParse(File.ReadAllText(path), out trace, out string? error))
            {
                throw new InvalidDataException($"Trace '{path}': {error}");
            }
        }
        CapacitySchedule? schedule = ld.Capacity.Count > 0
            ? new CapacitySchedule(ld.Capacity.Select(s => (TimeSpan.FromSeconds(s.AtSeconds), s.Bps)).ToList())
            : null;
        LossModel loss = ld.GilbertElliott is { } ge
            ? LossModel.GilbertElliott(ge.PGoodToBad, ge.PBadToGood, ge.LossInGood, ge.LossInBad)
            : ld.LossRate > 0 ? LossModel.Random(ld.LossRate) : LossModel.None;
        return new LinkOptions
        {
            Name = ld.Id,
            Capacity = schedule,
            Trace = trace,
            PropagationDelay = TimeSpan.FromMilliseconds(ld.PropagationDelayMs),
            Jitter = ld.JitterMs > 0 ? new JitterModel(TimeSpan.FromMilliseconds(ld.JitterMs)) : null,
            QueueLimitTime = ld.QueueBytes is null ? TimeSpan.FromMilliseconds(ld.QueueMs) : null,
            QueueLimitBytes = ld.QueueBytes ?? 0,
            Loss = loss,
        };
    }
}
