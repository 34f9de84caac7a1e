using RtcStack.Opus.Jitter;
using Xunit;

namespace RtcStack.Opus.Tests.Jitter;

/// <summary>Drives a buffer in virtual time: packets (arrival ms, sequence, timestamp, payload) in arrival order, a GetAudio every frame.</summary>
internal sealed class JitterHarness
{
    private double _now;
    private readonly List<(double ArrivalMs, uint Ssrc, ushort Sequence, uint Timestamp, byte[] Payload)> _packets = [];

    public JitterHarness(AdaptiveJitterBuffer buffer, FakeJitterDecoder decoder)
    {
        Buffer = buffer;
        Decoder = decoder;
    }

    public AdaptiveJitterBuffer Buffer { get; }

    public FakeJitterDecoder Decoder { get; }

    public List<JitterBufferDecision> Decisions { get; } = [];

    public List<JitterBufferInsertResult> InsertResults { get; } = [];

    public List<short> Output { get; } = [];

    public static (AdaptiveJitterBuffer Buffer, JitterHarness Harness) Create(JitterBufferOptions options, int sampleRate = 48000, int channels = 1)
    {
        var decoder = new FakeJitterDecoder(sampleRate, channels);
        var buffer = new AdaptiveJitterBuffer(decoder, options);
        return (buffer, new JitterHarness(buffer, decoder));
    }

    public void Add(double arrivalMs, ushort sequence, uint timestamp, byte[] payload, uint ssrc = 1) =>
        _packets.Add((arrivalMs, ssrc, sequence, timestamp, payload));

    /// <summary>Adds packets k in [0, count) of 20 ms sent at 20·k ms, arriving after delay(k) ms; skip(k) leaves one out.</summary>
    public void AddStream(int count, Func<int, double> delay, Func<int, bool>? skip = null, Func<int, bool>? fec = null, int firstSequence = 0, uint firstTimestamp = 0)
    {
        for (int k = 0; k < count; k++)
        {
            if (skip?.Invoke(k) == true)
            {
                continue;
            }

            uint ts = unchecked(firstTimestamp + (uint)(k * 960));
            Add((20.0 * k) + delay(k), unchecked((ushort)(firstSequence + k)), ts, FakeJitterDecoder.Packet(ts, 20, fec?.Invoke(k) == true));
        }
    }

    /// <summary>Runs one tick at a time until <paramref name="packets"/> packets have been decoded (at most 100 s).</summary>
    public void RunUntilDecoded(int packets)
    {
        int frameMs = Buffer.FrameSamples * 1000 / Buffer.SampleRate;
        while (Buffer.Statistics.PacketsDecoded < packets)
        {
            Assert.True(_now < 100_000, "the packets were never decoded");
            Run(_now);
        }
    }

    /// <summary>Runs the next tick only.</summary>
    public void Tick() => Run(_now);

    /// <summary>Runs ticks at 0, frame, 2·frame ... up to <paramref name="untilMs"/>, inserting every packet that has arrived before each tick.</summary>
    public void Run(double untilMs)
    {
        var ordered = _packets.OrderBy(p => p.ArrivalMs).ToList();
        int next = 0;
        int frameMs = Buffer.FrameSamples * 1000 / Buffer.SampleRate;
        var pcm = new short[Buffer.FrameSamples * Buffer.Channels];
        for (double t = _now; t <= untilMs; t += frameMs)
        {
            while (next < ordered.Count && ordered[next].ArrivalMs <= t)
            {
                var p = ordered[next++];
                InsertResults.Add(Buffer.Insert(p.Ssrc, p.Sequence, p.Timestamp, TimeSpan.FromMilliseconds(p.ArrivalMs), p.Payload));
            }

            Decisions.Add(Buffer.GetAudio(TimeSpan.FromMilliseconds(t), pcm));
            Output.AddRange(pcm);
            _now = t + frameMs;
        }

        _packets.Clear();
        _packets.AddRange(ordered.Skip(next));
    }
}
