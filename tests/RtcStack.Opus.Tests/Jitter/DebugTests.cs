using RtcStack.Opus.Jitter;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Opus.Tests.Jitter;

public sealed class DebugTests(ITestOutputHelper output)
{
    [Fact]
    public void Trace()
    {
        var options = new JitterBufferOptions { InitialDelay = TimeSpan.FromMilliseconds(120) };
        var (buffer, h) = JitterHarness.Create(options);
        h.AddStream(200, _ => 3);
        for (int t = 0; t <= 4200; t += 100)
        {
            h.Run(t);
            var s = buffer.Statistics;
            output.WriteLine($"{t} target {s.TargetDelay.TotalMilliseconds} cur {s.CurrentDelay.TotalMilliseconds:F1} conc {s.ConcealedSamples} rem {s.RemovedSamplesForAcceleration} ins {s.InsertedSamplesForDeceleration} buf {s.PacketsBuffered} dec {s.PacketsDecoded} late {s.PacketsDiscardedLate} " + string.Join("", h.Decisions.Skip(h.Decisions.Count - 10).Select(d => d.ToString()[0])));
        }
    }
}
