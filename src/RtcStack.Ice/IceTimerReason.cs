namespace RtcStack.Ice;

/// <summary>Which of an <see cref="IceAgent"/>'s timers its next deadline belongs to (<see cref="IceAgent.PollTimeoutReason"/>).</summary>
public enum IceTimerReason
{
    /// <summary>No timer runs.</summary>
    None,

    /// <summary>A connectivity check: the next paced check (Ta, RFC 8445 §6.1.4.2) or a retransmission or final wait (§14.3).</summary>
    Check,

    /// <summary>A server-reflexive gathering request's retransmission or timeout (RFC 8445 §5.1.1.2).</summary>
    Gathering,

    /// <summary>The controlling agent's wait for better pairs before it nominates (regular nomination, RFC 8445 §8.1.1).</summary>
    Nomination,

    /// <summary>Consent freshness (RFC 7675 §5.1): the next consent request, its retransmission, or the instant consent or connectivity is judged lost.</summary>
    Consent,

    /// <summary>A keepalive on the selected pair (RFC 8445 §11).</summary>
    Keepalive,

    /// <summary>A TURN client's timer (RFC 8656: allocation, refresh, permission or channel binding).</summary>
    Turn,
}
