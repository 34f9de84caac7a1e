using System.Buffers.Binary;

namespace RtcStack.Stun;

/// <summary>
/// Enumerates the attributes of a message that count (RFC 8489 §14.5/§14.6: after
/// MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, after MESSAGE-INTEGRITY-SHA256
/// only FINGERPRINT). Bounds were validated by <see cref="StunMessageReader.TryParse"/>.
/// </summary>
public ref struct StunAttributeEnumerator
{
    private readonly ReadOnlySpan<byte> _message;
    private int _next;
    private int _stage; // 0 = before MI, 1 = after MI, 2 = after MI-SHA256
    private StunAttribute _current;

    internal StunAttributeEnumerator(ReadOnlySpan<byte> message)
    {
        _message = message;
        _next = StunMessageReader.HeaderLength;
        _stage = 0;
        _current = default;
    }

    /// <summary>Gets the current attribute.</summary>
    public readonly StunAttribute Current => _current;

    /// <summary>Returns this enumerator (for foreach).</summary>
    public readonly StunAttributeEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next attribute that counts.</summary>
    public bool MoveNext()
    {
        while (_next + 4 <= _message.Length)
        {
            int offset = _next;
            var type = (StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(_message[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(_message[(offset + 2)..]);
            _next = offset + 4 + ((length + 3) & ~3);
            bool counts = _stage switch
            {
                0 => true,
                1 => type is StunAttributeType.MessageIntegritySha256 or StunAttributeType.Fingerprint,
                _ => type == StunAttributeType.Fingerprint,
            };
            if (!counts)
            {
                continue;
            }

            if (type == StunAttributeType.MessageIntegrity && _stage == 0)
            {
                _stage = 1;
            }
            else if (type == StunAttributeType.MessageIntegritySha256 && _stage < 2)
            {
                _stage = 2;
            }

            _current = new StunAttribute(type, _message.Slice(offset + 4, length), offset);
            return true;
        }

        return false;
    }
}
