using Microsoft.Extensions.Logging;
using Xunit;

namespace RtcStack.Opus.Tests;

/// <summary>The factory's choice: libopus where it loads, Concentus otherwise, logged and named for stats.</summary>
public sealed class OpusCodecProviderTests
{
    [Fact]
    public void AutoPicksLibOpusWhereItLoadsAndSaysWhere()
    {
        var log = new ListLogger();
        var provider = new OpusCodecProvider(OpusImplementationPreference.Auto, log);
        Assert.Equal(OpusImplementation.LibOpus, provider.Implementation);
        Assert.Equal("libopus", provider.ImplementationName);
        Assert.Contains("libopus 1.", provider.Description);
        Assert.Contains("libopus.so.0", provider.Description);
        using IOpusDecoder decoder = provider.CreateDecoder(48000, 2);
        Assert.IsType<OpusDecoder>(decoder);
        string line = Assert.Single(log.Lines);
        Assert.StartsWith("Information: Opus codec: libopus: libopus 1.", line);
    }

    [Fact]
    public void AutoFallsBackToConcentusWhenLibOpusDoesNotLoad()
    {
        var log = new ListLogger();
        var provider = new OpusCodecProvider(
            OpusImplementationPreference.Auto,
            log,
            () => throw new OpusLibraryNotFoundException("libopus (test) could not be loaded"));
        Assert.Equal(OpusImplementation.Concentus, provider.Implementation);
        Assert.Equal("Concentus", provider.ImplementationName);
        Assert.Contains("Concentus 2.2.2", provider.Description);
        Assert.Contains("libopus (test) could not be loaded", provider.Description);
        using IOpusEncoder encoder = provider.CreateEncoder(48000, 1, OpusApplication.Voip);
        using IOpusDecoder decoder = provider.CreateDecoder(48000, 1);
        Assert.IsType<ConcentusOpusEncoder>(encoder);
        Assert.IsType<ConcentusOpusDecoder>(decoder);
        string line = Assert.Single(log.Lines);
        Assert.StartsWith("Information: Opus codec: Concentus: Concentus 2.2.2 (managed; libopus not loaded", line);
    }

    [Fact]
    public void ExplicitPreferencesAreObeyed()
    {
        Assert.Equal(OpusImplementation.Concentus, new OpusCodecProvider(OpusImplementationPreference.Concentus).Implementation);
        Assert.Equal(OpusImplementation.LibOpus, new OpusCodecProvider(OpusImplementationPreference.LibOpus).Implementation);
        Assert.Throws<OpusLibraryNotFoundException>(() => new OpusCodecProvider(
            OpusImplementationPreference.LibOpus, null, () => throw new OpusLibraryNotFoundException("missing")));
        Assert.Equal(OpusImplementation.LibOpus, OpusCodecProvider.Default.Implementation);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
