namespace RtcStack.WebRtc.Signalling;

/// <summary>A step of an automatic ICE restart by a <see cref="WhipClient"/> (RFC 9725 §4.3.3).</summary>
public enum WhipIceRestartStep
{
    /// <summary>ICE failed or stayed disconnected past the grace: a restart PATCH is being sent.</summary>
    Started,

    /// <summary>The endpoint answered the restart with 200 and its new ICE information, which we applied.</summary>
    Answered,

    /// <summary>The endpoint refused the restart, answered something unusable, or did not answer (see the status and message).</summary>
    Refused,

    /// <summary>ICE selected a pair again after the restart: media flows.</summary>
    Reconnected,

    /// <summary>The restart was answered, but ICE did not connect again within the restart timeout.</summary>
    NotReconnected,

    /// <summary>No restart can or did bring the session back: the client DELETEd the resource and closed the session.</summary>
    GaveUp,
}

/// <summary>What an automatic ICE restart did, for the application (<see cref="WhipClientOptions.IceRestartEvent"/>).</summary>
/// <param name="Step">The step.</param>
/// <param name="Attempt">The attempt within this outage (1 for the first).</param>
/// <param name="StatusCode">The PATCH's HTTP status, when there was one.</param>
/// <param name="Message">What happened, in words.</param>
/// <param name="At">When (wall clock).</param>
public sealed record WhipIceRestartEvent(WhipIceRestartStep Step, int Attempt, int? StatusCode, string Message, DateTimeOffset At);
