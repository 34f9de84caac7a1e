using Microsoft.Extensions.Logging;
using RtcStack.Stun;

namespace RtcStack.Ice;

/// <summary>Source-generated log messages of the agent.</summary>
internal static partial class IceLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "TURN allocation on {Server} failed: {Code} {Reason}")]
    public static partial void LogTurnFailed(this ILogger logger, TransportAddress server, int code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ICE selected pair for component {Component}: {Pair}")]
    public static partial void LogSelected(this ILogger logger, int component, IceCandidatePair pair);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ICE role conflict: now {Role}")]
    public static partial void LogRoleChanged(this ILogger logger, IceRole role);

    [LoggerMessage(Level = LogLevel.Information, Message = "ICE consent lost on component {Component}")]
    public static partial void LogConsentLost(this ILogger logger, int component);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ICE at {Now}: check sent on {Pair} (use-candidate {UseCandidate}, triggered {Triggered})")]
    public static partial void LogCheckSent(this ILogger logger, TimeSpan now, IceCandidatePair pair, bool useCandidate, bool triggered);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ICE at {Now}: check received from {Remote} (use-candidate {UseCandidate}), pair {State}")]
    public static partial void LogCheckReceived(this ILogger logger, TimeSpan now, TransportAddress remote, bool useCandidate, IceCandidatePairState state);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ICE at {Now}: check answered on {Pair}")]
    public static partial void LogCheckSucceeded(this ILogger logger, TimeSpan now, IceCandidatePair pair);
}
