namespace RtcStack.Stun;

/// <summary>Classification helpers for <see cref="StunAttributeType"/>.</summary>
public static class StunAttributeTypeExtensions
{
    /// <summary>RFC 8489 §14: types below 0x8000 must be understood, or the request is rejected with 420.</summary>
    public static bool IsComprehensionRequired(this StunAttributeType type) => (ushort)type < 0x8000;

    /// <summary>Gets a value indicating whether this library understands the attribute (it is one of <see cref="StunAttributeType"/>'s values).</summary>
    public static bool IsKnown(this StunAttributeType type)
    {
        switch (type)
        {
            case StunAttributeType.MappedAddress:
            case StunAttributeType.Username:
            case StunAttributeType.MessageIntegrity:
            case StunAttributeType.ErrorCode:
            case StunAttributeType.UnknownAttributes:
            case StunAttributeType.ChannelNumber:
            case StunAttributeType.Lifetime:
            case StunAttributeType.XorPeerAddress:
            case StunAttributeType.Data:
            case StunAttributeType.Realm:
            case StunAttributeType.Nonce:
            case StunAttributeType.XorRelayedAddress:
            case StunAttributeType.RequestedAddressFamily:
            case StunAttributeType.EvenPort:
            case StunAttributeType.RequestedTransport:
            case StunAttributeType.DontFragment:
            case StunAttributeType.MessageIntegritySha256:
            case StunAttributeType.PasswordAlgorithm:
            case StunAttributeType.UserHash:
            case StunAttributeType.XorMappedAddress:
            case StunAttributeType.ReservationToken:
            case StunAttributeType.Priority:
            case StunAttributeType.UseCandidate:
            case StunAttributeType.AdditionalAddressFamily:
            case StunAttributeType.AddressErrorCode:
            case StunAttributeType.PasswordAlgorithms:
            case StunAttributeType.AlternateDomain:
            case StunAttributeType.Icmp:
            case StunAttributeType.Software:
            case StunAttributeType.AlternateServer:
            case StunAttributeType.Fingerprint:
            case StunAttributeType.IceControlled:
            case StunAttributeType.IceControlling:
                return true;
            default:
                return false;
        }
    }
}
