namespace RtcStack.Sdp;

/// <summary>Conversions and offer/answer rules for <see cref="MediaDirection"/>.</summary>
public static class MediaDirectionExtensions
{
    /// <summary>Returns the attribute name ("sendrecv", "sendonly", "recvonly", "inactive").</summary>
    /// <param name="direction">The direction.</param>
    /// <returns>The attribute name.</returns>
    public static string ToSdpString(this MediaDirection direction) => direction switch
    {
        MediaDirection.SendRecv => SdpAttributeNames.SendRecv,
        MediaDirection.SendOnly => SdpAttributeNames.SendOnly,
        MediaDirection.RecvOnly => SdpAttributeNames.RecvOnly,
        MediaDirection.Inactive => SdpAttributeNames.Inactive,
        _ => throw new ArgumentOutOfRangeException(nameof(direction)),
    };

    /// <summary>Parses a direction attribute name.</summary>
    /// <param name="text">The name.</param>
    /// <param name="direction">The direction.</param>
    /// <returns>Whether <paramref name="text"/> is one of the four names.</returns>
    public static bool TryParseMediaDirection(ReadOnlySpan<char> text, out MediaDirection direction)
    {
        switch (text)
        {
            case SdpAttributeNames.SendRecv: direction = MediaDirection.SendRecv; return true;
            case SdpAttributeNames.SendOnly: direction = MediaDirection.SendOnly; return true;
            case SdpAttributeNames.RecvOnly: direction = MediaDirection.RecvOnly; return true;
            case SdpAttributeNames.Inactive: direction = MediaDirection.Inactive; return true;
            default: direction = MediaDirection.SendRecv; return false;
        }
    }

    /// <summary>Gets whether the direction includes sending.</summary>
    /// <param name="direction">The direction.</param>
    /// <returns>True for sendrecv and sendonly.</returns>
    public static bool Sends(this MediaDirection direction) => direction is MediaDirection.SendRecv or MediaDirection.SendOnly;

    /// <summary>Gets whether the direction includes receiving.</summary>
    /// <param name="direction">The direction.</param>
    /// <returns>True for sendrecv and recvonly.</returns>
    public static bool Receives(this MediaDirection direction) => direction is MediaDirection.SendRecv or MediaDirection.RecvOnly;

    /// <summary>Builds a direction from its two halves.</summary>
    /// <param name="send">Whether it sends.</param>
    /// <param name="receive">Whether it receives.</param>
    /// <returns>The direction.</returns>
    public static MediaDirection FromSendReceive(bool send, bool receive) => (send, receive) switch
    {
        (true, true) => MediaDirection.SendRecv,
        (true, false) => MediaDirection.SendOnly,
        (false, true) => MediaDirection.RecvOnly,
        _ => MediaDirection.Inactive,
    };

    /// <summary>The same direction seen from the other side: sendonly becomes recvonly and the reverse.</summary>
    /// <param name="direction">The direction.</param>
    /// <returns>The reversed direction.</returns>
    public static MediaDirection Reverse(this MediaDirection direction) => FromSendReceive(direction.Receives(), direction.Sends());

    /// <summary>
    /// The answer's direction (RFC 3264 §6.1, RFC 8829 §5.3.1): what the answerer wants, limited to the reverse of
    /// what was offered (an offered sendonly can only be answered recvonly or inactive).
    /// </summary>
    /// <param name="offered">The direction in the offer.</param>
    /// <param name="wanted">What the answerer would like.</param>
    /// <returns>The direction to write in the answer.</returns>
    public static MediaDirection AnswerTo(this MediaDirection offered, MediaDirection wanted) =>
        FromSendReceive(wanted.Sends() && offered.Receives(), wanted.Receives() && offered.Sends());
}
