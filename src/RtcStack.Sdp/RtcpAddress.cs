using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>
/// "a=rtcp:&lt;port&gt; [&lt;nettype&gt; &lt;addrtype&gt; &lt;connection-address&gt;]" (RFC 3605 §2.1).
/// Browsers write it even with rtcp-mux (Chromium "9 IN IP4 0.0.0.0"; Firefox the component-2 port);
/// with rtcp-mux negotiated RTCP goes to the RTP port and this line is not used (RFC 5761 §5.1).
/// </summary>
/// <param name="Port">The RTCP port.</param>
/// <param name="Connection">The address, or null when only the port is given.</param>
public sealed record RtcpAddress(int Port, SdpConnection? Connection = null)
{
    /// <summary>Parses an rtcp attribute value.</summary>
    /// <param name="value">The text after "a=rtcp:".</param>
    /// <param name="rtcp">The address.</param>
    /// <returns>Whether the value matched RFC 3605 §2.1.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out RtcpAddress? rtcp)
    {
        rtcp = null;
        SdpConnection? connection = null;
        if (SdpGrammar.TrySplit(value, ' ', out ReadOnlySpan<char> portText, out ReadOnlySpan<char> address)
            && !SdpConnection.TryParse(address, out connection))
        {
            return false;
        }

        if (!SdpGrammar.TryParseInt32(portText, 0, 65535, out int port))
        {
            return false;
        }

        rtcp = new RtcpAddress(port, connection);
        return true;
    }

    /// <summary>Returns the "a=rtcp:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.Rtcp, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=rtcp:".</returns>
    public override string ToString() => SdpGrammar.Format(Port) + (Connection is null ? "" : " " + Connection);
}
