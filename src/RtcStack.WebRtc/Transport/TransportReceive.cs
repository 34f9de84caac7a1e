namespace RtcStack.WebRtc.Transport;

/// <summary>
/// The result of <see cref="WebRtcTransport.HandleDatagram"/>: RTP or RTCP plaintext (its length in the caller's
/// buffer), consumed by ICE or DTLS, or dropped with a typed reason.
/// </summary>
public readonly struct TransportReceive : IEquatable<TransportReceive>
{
    private TransportReceive(TransportReceiveKind kind, int length, TransportDropReason dropReason)
    {
        Kind = kind;
        Length = length;
        DropReason = dropReason;
    }

    /// <summary>Gets what happened to the datagram.</summary>
    public TransportReceiveKind Kind { get; }

    /// <summary>Gets the length of the plaintext RTP or RTCP in the caller's buffer (0 otherwise).</summary>
    public int Length { get; }

    /// <summary>Gets why it was dropped (<see cref="TransportDropReason.None"/> unless <see cref="Kind"/> is <see cref="TransportReceiveKind.Dropped"/>).</summary>
    public TransportDropReason DropReason { get; }

    /// <summary>Gets a value indicating whether plaintext media (RTP or RTCP) was produced.</summary>
    public bool IsMedia => Kind is TransportReceiveKind.Rtp or TransportReceiveKind.Rtcp;

    /// <summary>Compares two results.</summary>
    public static bool operator ==(TransportReceive left, TransportReceive right) => left.Equals(right);

    /// <summary>Compares two results.</summary>
    public static bool operator !=(TransportReceive left, TransportReceive right) => !left.Equals(right);

    /// <summary>Plaintext RTP of <paramref name="length"/> bytes.</summary>
    public static TransportReceive Rtp(int length) => new(TransportReceiveKind.Rtp, length, TransportDropReason.None);

    /// <summary>Plaintext RTCP of <paramref name="length"/> bytes.</summary>
    public static TransportReceive Rtcp(int length) => new(TransportReceiveKind.Rtcp, length, TransportDropReason.None);

    /// <summary>Taken by ICE or DTLS.</summary>
    public static TransportReceive Consumed() => new(TransportReceiveKind.Consumed, 0, TransportDropReason.None);

    /// <summary>Dropped for <paramref name="reason"/>.</summary>
    public static TransportReceive Dropped(TransportDropReason reason) => new(TransportReceiveKind.Dropped, 0, reason);

    /// <inheritdoc/>
    public bool Equals(TransportReceive other) => Kind == other.Kind && Length == other.Length && DropReason == other.DropReason;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TransportReceive other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Length, DropReason);

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        TransportReceiveKind.Dropped => $"Dropped({DropReason})",
        TransportReceiveKind.Consumed => "Consumed",
        _ => $"{Kind}({Length})",
    };
}
