using System.Diagnostics.Metrics;

namespace RtcStack.Srtp.Tests;

/// <summary>An <see cref="IMeterFactory"/> whose meters a test can listen to in isolation from other tests.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        options.Scope = this;
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (Meter m in _meters)
        {
            m.Dispose();
        }
    }
}
