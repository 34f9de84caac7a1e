namespace RtcStack.Sdp;

/// <summary>The "a=setup" values of RFC 4145 §4 as RFC 8842 §5 uses them to pick the DTLS client and server.</summary>
public enum SetupRole
{
    /// <summary>"active": this endpoint starts the DTLS handshake (DTLS client).</summary>
    Active,

    /// <summary>"passive": this endpoint waits for the handshake (DTLS server).</summary>
    Passive,

    /// <summary>"actpass": either; an offerer writes it (RFC 8842 §5.2) and the answerer chooses.</summary>
    ActPass,

    /// <summary>"holdconn": no connection now (RFC 4145); not used with DTLS-SRTP.</summary>
    HoldConn,
}
