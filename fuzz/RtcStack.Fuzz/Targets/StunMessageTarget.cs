using RtcStack.Stun;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The STUN reader (RFC 8489) and everything that reads through it: attribute walk, typed
/// accessors, MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT checks, the RFC 7983 classifier and the
/// TURN ChannelData reader. A parsed message must re-validate when copied, and every attribute
/// must lie inside the message.
/// </summary>
[FuzzTarget("stun-message")]
public sealed class StunMessageTarget : IFuzzTarget
{
    private static readonly byte[] s_key = "VOkJxbRl1RmTxUk/WvJxBt"u8.ToArray();

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        PacketDemultiplexer.Classify(data);
        if (ChannelData.TryParse(data, out _, out ReadOnlySpan<byte> payload) && payload.Length > data.Length - ChannelData.HeaderLength)
        {
            throw new InvalidOperationException("ChannelData payload out of bounds");
        }

        StunParseStatus status = StunMessageReader.TryParse(data, out StunMessageReader msg);
        if (status != StunParseStatus.Ok)
        {
            return;
        }

        if (msg.Message.Length != data.Length || !StunMessageReader.LooksLikeStun(data))
        {
            throw new InvalidOperationException("accepted a message that is not the whole datagram");
        }

        int count = 0;
        foreach (StunAttribute a in msg.GetAttributes())
        {
            if (a.Offset < StunMessageReader.HeaderLength || a.Offset + 4 + a.Value.Length > data.Length)
            {
                throw new InvalidOperationException("attribute out of bounds");
            }

            count++;
        }

        if (count > data.Length / 4)
        {
            throw new InvalidOperationException("more attributes than bytes allow");
        }

        msg.VerifyMessageIntegrity(s_key);
        msg.VerifyMessageIntegritySha256(s_key);
        msg.VerifyFingerprint();
        msg.TryGetXorAddress(StunAttributeType.XorMappedAddress, out _);
        msg.TryGetXorAddress(StunAttributeType.XorPeerAddress, out _);
        msg.TryGetXorAddress(StunAttributeType.XorRelayedAddress, out _);
        msg.TryGetAddress(StunAttributeType.MappedAddress, out _);
        msg.TryGetAddress(StunAttributeType.AlternateServer, out _);
        if (msg.TryGetErrorCode(out int code, out _) && (code < 300 || code > 699))
        {
            throw new InvalidOperationException("impossible error code " + code);
        }

        msg.TryGetUInt32(StunAttributeType.Priority, out _);
        msg.TryGetUInt64(StunAttributeType.IceControlling, out _);
        msg.GetUnknownComprehensionRequired(stackalloc ushort[8]);
        _ = msg.MessageType;
        _ = msg.TransactionId;
    }
}
