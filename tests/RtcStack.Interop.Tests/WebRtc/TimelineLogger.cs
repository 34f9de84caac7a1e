using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// A logger that keeps every message of one session with the session host's clock, so a benchmark can
/// print what ICE and DTLS did (checks sent and received, flights, retransmissions) and when.
/// </summary>
internal sealed class TimelineLogger(Func<TimeSpan> clock) : ILogger
{
    public ConcurrentQueue<(TimeSpan At, string What)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((clock(), formatter(state, exception)));
}
