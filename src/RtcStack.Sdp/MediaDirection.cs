namespace RtcStack.Sdp;

/// <summary>The media direction attributes of RFC 8866 §6.7, seen from the side that wrote them.</summary>
public enum MediaDirection
{
    /// <summary>"sendrecv": send and receive (the default when no direction attribute is present, RFC 8866 §6.7.1).</summary>
    SendRecv,

    /// <summary>"sendonly": send only.</summary>
    SendOnly,

    /// <summary>"recvonly": receive only.</summary>
    RecvOnly,

    /// <summary>"inactive": neither.</summary>
    Inactive,
}
