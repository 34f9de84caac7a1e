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
}
