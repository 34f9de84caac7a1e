using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>
/// The "c=" line (RFC 8866 §5.7): &lt;nettype&gt; &lt;addrtype&gt; &lt;connection-address&gt;.
/// WebRTC writes "IN IP4 0.0.0.0" until a default candidate is known (RFC 8829 §5.2.1).
/// </summary>
/// <param name="NetworkType">The network type, "IN".</param>
/// <param name="AddressType">"IP4" or "IP6".</param>
/// <param name="Address">The address, possibly with a multicast TTL or count suffix ("/127").</param>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address)
{
    /// <summary>Parses the value of a "c=" line.</summary>
    /// <param name="value">The text after "c=".</param>
    /// <param name="connection">The connection data.</param>
    /// <returns>Whether the value has the three fields of RFC 8866 §5.7.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpConnection? connection)
    {
        connection = null;
        ReadOnlySpan<char> rest = value;
        if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> net) || !SdpGrammar.IsToken(net)
            || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> type) || !SdpGrammar.IsToken(type)
            || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> address) || !SdpGrammar.IsNonWhitespace(address)
            || !rest.IsEmpty)
        {
            return false;
        }

        connection = new SdpConnection(net.ToString(), type.ToString(), address.ToString());
        return true;
    }

    /// <summary>Returns the "c=" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Create('c', ToString());

    /// <summary>Returns the value of the "c=" line.</summary>
    /// <returns>The text after "c=".</returns>
    public override string ToString() => $"{NetworkType} {AddressType} {Address}";
}
