namespace RtcStack.Sctp.Packets;

/// <summary>SCTP chunk types (RFC 9260 §3.2, RFC 3758 §3.2, RFC 6525 §3.1, RFC 8260 §2.1/§2.3).</summary>
public enum SctpChunkType : byte
{
    /// <summary>DATA, RFC 9260 §3.3.1.</summary>
    Data = 0,

    /// <summary>INIT, RFC 9260 §3.3.2.</summary>
    Init = 1,

    /// <summary>INIT ACK, RFC 9260 §3.3.3.</summary>
    InitAck = 2,

    /// <summary>SACK, RFC 9260 §3.3.4.</summary>
    Sack = 3,

    /// <summary>HEARTBEAT, RFC 9260 §3.3.5.</summary>
    Heartbeat = 4,

    /// <summary>HEARTBEAT ACK, RFC 9260 §3.3.6.</summary>
    HeartbeatAck = 5,

    /// <summary>ABORT, RFC 9260 §3.3.7.</summary>
    Abort = 6,

    /// <summary>SHUTDOWN, RFC 9260 §3.3.8.</summary>
    Shutdown = 7,

    /// <summary>SHUTDOWN ACK, RFC 9260 §3.3.9.</summary>
    ShutdownAck = 8,

    /// <summary>ERROR, RFC 9260 §3.3.10.</summary>
    Error = 9,

    /// <summary>COOKIE ECHO, RFC 9260 §3.3.11.</summary>
    CookieEcho = 10,

    /// <summary>COOKIE ACK, RFC 9260 §3.3.12.</summary>
    CookieAck = 11,

    /// <summary>SHUTDOWN COMPLETE, RFC 9260 §3.3.13.</summary>
    ShutdownComplete = 14,

    /// <summary>I-DATA, RFC 8260 §2.1.</summary>
    IData = 64,

    /// <summary>RE-CONFIG, RFC 6525 §3.1.</summary>
    ReConfig = 130,

    /// <summary>PAD, RFC 4820 §3 (0x84): padding that makes a packet larger (RFC 8899 §6.2 path MTU probes); skipped on receipt.</summary>
    Pad = 132,

    /// <summary>FORWARD TSN, RFC 3758 §3.2.</summary>
    ForwardTsn = 192,

    /// <summary>I-FORWARD-TSN, RFC 8260 §2.3.</summary>
    IForwardTsn = 194,
}
