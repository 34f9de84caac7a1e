using RtcStack.Stun;

namespace RtcStack.Ice;

/// <content>The candidate attribute text (RFC 8839 §5.1, RFC 6544 §4.5).</content>
public sealed partial class IceCandidate
{
    private const int MaxExtensions = 64;

    /// <summary>
    /// Parses a candidate attribute: <c>candidate:foundation component transport priority
    /// address port typ type [raddr a rport p] [ext value]*</c>, with or without a leading
    /// <c>a=</c>. tcptype, generation and ufrag are exposed as properties; other extension pairs
    /// are kept in <see cref="Extensions"/> in order. Never throws; returns false for malformed text.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IceCandidate? candidate)
    {
        candidate = null;
        text = text.Trim();
        if (text.StartsWith("a=", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        if (!text.StartsWith("candidate:", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var t = new Tokenizer(text["candidate:".Length..]);
        if (!t.Next(out ReadOnlySpan<char> foundation) || foundation.Length > 32 || !IsIceChars(foundation)
            || !t.Next(out ReadOnlySpan<char> componentText) || !TryParseNumber(componentText, 3, out ulong component) || component is < 1 or > 256
            || !t.Next(out ReadOnlySpan<char> transportText)
            || !t.Next(out ReadOnlySpan<char> priorityText) || !TryParseNumber(priorityText, 10, out ulong priority) || priority > uint.MaxValue
            || !t.Next(out ReadOnlySpan<char> addressText)
            || !t.Next(out ReadOnlySpan<char> portText) || !TryParseNumber(portText, 5, out ulong port) || port > 65535
            || !t.Next(out ReadOnlySpan<char> typ) || !typ.Equals("typ", StringComparison.OrdinalIgnoreCase)
            || !t.Next(out ReadOnlySpan<char> typeText))
        {
            return false;
        }

        IceTransportProtocol protocol;
        if (transportText.Equals("udp", StringComparison.OrdinalIgnoreCase))
        {
            protocol = IceTransportProtocol.Udp;
        }
        else if (transportText.Equals("tcp", StringComparison.OrdinalIgnoreCase))
        {
            protocol = IceTransportProtocol.Tcp;
        }
        else
        {
            return false;
        }

        IceCandidateType type;
        if (typeText.SequenceEqual("host"))
        {
            type = IceCandidateType.Host;
        }
        else if (typeText.SequenceEqual("srflx"))
        {
            type = IceCandidateType.ServerReflexive;
        }
        else if (typeText.SequenceEqual("prflx"))
        {
            type = IceCandidateType.PeerReflexive;
        }
        else if (typeText.SequenceEqual("relay"))
        {
            type = IceCandidateType.Relayed;
        }
        else
        {
            return false;
        }

        TransportAddress address = default;
        string? hostName = null;
        if (!TransportAddress.TryParse(addressText, (int)port, out address))
        {
            if (!IsHostName(addressText))
            {
                return false;
            }

            hostName = addressText.ToString();
        }

        ReadOnlySpan<char> raddr = default;
        int rport = -1;
        IceTcpType tcpType = IceTcpType.None;
        int? generation = null;
        string? ufrag = null;
        List<KeyValuePair<string, string>>? extensions = null;
        while (t.Next(out ReadOnlySpan<char> key))
        {
            if (!t.Next(out ReadOnlySpan<char> value))
            {
                return false;
            }

            if (key.SequenceEqual("raddr"))
            {
                raddr = value;
            }
            else if (key.SequenceEqual("rport"))
            {
                if (!TryParseNumber(value, 5, out ulong rp) || rp > 65535)
                {
                    return false;
                }

                rport = (int)rp;
            }
            else if (key.SequenceEqual("tcptype"))
            {
                if (value.SequenceEqual("active"))
                {
                    tcpType = IceTcpType.Active;
                }
                else if (value.SequenceEqual("passive"))
                {
                    tcpType = IceTcpType.Passive;
                }
                else if (value.SequenceEqual("so"))
                {
                    tcpType = IceTcpType.SimultaneousOpen;
                }
                else
                {
                    return false;
                }
            }
            else if (key.SequenceEqual("generation"))
            {
                if (!TryParseNumber(value, 9, out ulong g))
                {
                    return false;
                }

                generation = (int)g;
            }
            else if (key.SequenceEqual("ufrag"))
            {
                ufrag = value.ToString();
            }
            else
            {
                extensions ??= [];
                if (extensions.Count >= MaxExtensions)
                {
                    return false;
                }

                extensions.Add(new KeyValuePair<string, string>(key.ToString(), value.ToString()));
            }
        }

        TransportAddress related = default;
        if (!raddr.IsEmpty)
        {
            // A related address that is not an IP (e.g. an mDNS name) is dropped: it is informational only.
            TransportAddress.TryParse(raddr, rport < 0 ? 0 : rport, out related);
        }

        string f = foundation.ToString();
        candidate = hostName is null
            ? new IceCandidate(f, (int)component, protocol, (uint)priority, address, type, related, tcpType, generation, ufrag, extensions)
            : new IceCandidate(f, (int)component, protocol, (uint)priority, hostName, (int)port, type)
            {
                RelatedAddress = related,
                TcpType = tcpType,
                Generation = generation,
                Ufrag = ufrag,
                Extensions = extensions ?? (IReadOnlyList<KeyValuePair<string, string>>)s_noExtensions,
            };
        return true;
    }

    /// <summary>Parses a candidate attribute; throws <see cref="FormatException"/> when malformed.</summary>
    public static IceCandidate Parse(string text) =>
        TryParse(text, out IceCandidate? c) ? c! : throw new FormatException("not an ICE candidate attribute: " + text);

    /// <summary>Writes the attribute (<c>candidate:...</c>, no <c>a=</c>) into <paramref name="destination"/>.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        var w = new SpanWriter(destination);
        w.Append("candidate:");
        w.Append(Foundation);
        w.Append(' ');
        w.Append(Component);
        w.Append(Protocol == IceTransportProtocol.Udp ? " udp " : " tcp ");
        w.Append(Priority);
        w.Append(' ');
        w.AppendAddress(Address, HostName);
        w.Append(' ');
        w.Append((uint)Port);
        w.Append(" typ ");
        w.Append(TypeName(Type));
        if (!RelatedAddress.IsEmpty)
        {
            w.Append(" raddr ");
            w.AppendAddress(RelatedAddress, null);
            w.Append(" rport ");
            w.Append((uint)RelatedAddress.Port);
        }

        if (TcpType != IceTcpType.None)
        {
            w.Append(" tcptype ");
            w.Append(TcpType switch
            {
                IceTcpType.Active => "active",
                IceTcpType.Passive => "passive",
                _ => "so",
            });
        }

        if (Generation is int g)
        {
            w.Append(" generation ");
            w.Append((uint)g);
        }

        if (Ufrag is not null)
        {
            w.Append(" ufrag ");
            w.Append(Ufrag);
        }

        foreach (KeyValuePair<string, string> kv in Extensions)
        {
            w.Append(' ');
            w.Append(kv.Key);
            w.Append(' ');
            w.Append(kv.Value);
        }

        if (w.Overflow)
        {
            return false;
        }

        charsWritten = w.Length;
        return true;
    }

    /// <summary>Writes the attribute as <c>candidate:...</c> (no <c>a=</c>).</summary>
    public override string ToString()
    {
        Span<char> buf = stackalloc char[1024];
        return TryFormat(buf, out int n) ? new string(buf[..n]) : throw new InvalidOperationException("candidate text longer than 1024 characters");
    }

    private static bool TryParseNumber(ReadOnlySpan<char> s, int maxDigits, out ulong value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > maxDigits)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (ulong)(c - '0');
        }

        return true;
    }

    // RFC 8839 §5.1: ice-char = ALPHA / DIGIT / "+" / "/".
    private static bool IsIceChars(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsHostName(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || s.Length > 253)
        {
            return false;
        }

        bool letter = false;
        foreach (char c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '.')
            {
                return false;
            }

            letter |= char.IsAsciiLetter(c);
        }

        // A name of digits and dots only is a malformed IPv4 address, not a host name (RFC 3696 §2).
        return letter;
    }

    private ref struct Tokenizer(ReadOnlySpan<char> text)
    {
        private ReadOnlySpan<char> _rest = text;

        public bool Next(out ReadOnlySpan<char> token)
        {
            _rest = _rest.TrimStart(' ');
            if (_rest.IsEmpty)
            {
                token = default;
                return false;
            }

            int end = _rest.IndexOf(' ');
            if (end < 0)
            {
                end = _rest.Length;
            }

            token = _rest[..end];
            _rest = _rest[end..];
            return true;
        }
    }

    private ref struct SpanWriter(Span<char> buffer)
    {
        private readonly Span<char> _buffer = buffer;

        public int Length { get; private set; }

        public bool Overflow { get; private set; }

        public void Append(ReadOnlySpan<char> s)
        {
            if (Overflow || !s.TryCopyTo(_buffer[Length..]))
            {
                Overflow = true;
                return;
            }

            Length += s.Length;
        }

        public void Append(char c)
        {
            if (Overflow || Length >= _buffer.Length)
            {
                Overflow = true;
                return;
            }

            _buffer[Length++] = c;
        }

        public void Append(uint value)
        {
            if (Overflow || !value.TryFormat(_buffer[Length..], out int n, default, System.Globalization.CultureInfo.InvariantCulture))
            {
                Overflow = true;
                return;
            }

            Length += n;
        }

        public void Append(int value) => Append((uint)value);

        public void AppendAddress(TransportAddress address, string? hostName)
        {
            if (hostName is not null)
            {
                Append(hostName);
                return;
            }

            if (Overflow || !address.TryFormatAddress(_buffer[Length..], out int n))
            {
                Overflow = true;
                return;
            }

            Length += n;
        }
    }
}
