namespace RtcStack.Dtls.Handshake;

/// <summary>What <see cref="HandshakeReassembler.Add"/> did with a fragment.</summary>
internal enum FragmentStatus
{
    /// <summary>Stored (or a harmless duplicate of stored bytes).</summary>
    Accepted,

    /// <summary>Belongs to an already processed message: the peer is retransmitting (RFC 6347 §4.2.4).</summary>
    Old,

    /// <summary>Inconsistent, too large or too far ahead; ignored.</summary>
    Dropped,
}
