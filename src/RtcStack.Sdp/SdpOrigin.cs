using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>
/// The "o=" line (RFC 8866 §5.2): &lt;username&gt; &lt;sess-id&gt; &lt;sess-version&gt;
/// &lt;nettype&gt; &lt;addrtype&gt; &lt;unicast-address&gt;. A parsed origin keeps its exact text
/// (for example leading zeros) and writes it back unchanged.
/// </summary>
public sealed class SdpOrigin : IEquatable<SdpOrigin>
{
    private readonly string _text;

    /// <summary>Initializes a new instance of the <see cref="SdpOrigin"/> class.</summary>
    /// <param name="username">The user name, "-" when there is none (RFC 8866 §5.2); no spaces.</param>
    /// <param name="sessionId">The session id. JSEP (RFC 8829 §5.2.1) keeps it below 2^63.</param>
    /// <param name="sessionVersion">The session version, incremented on each change.</param>
    /// <param name="networkType">The network type, "IN".</param>
    /// <param name="addressType">The address type, "IP4" or "IP6".</param>
    /// <param name="unicastAddress">The address; JSEP uses a meaningless one such as 0.0.0.0.</param>
    public SdpOrigin(string username, ulong sessionId, ulong sessionVersion, string networkType = "IN", string addressType = "IP4", string unicastAddress = "0.0.0.0")
    {
        SdpGrammar.RequireNonWhitespace(username, nameof(username));
        SdpGrammar.RequireToken(networkType, nameof(networkType));
        SdpGrammar.RequireToken(addressType, nameof(addressType));
        SdpGrammar.RequireNonWhitespace(unicastAddress, nameof(unicastAddress));
        Username = username;
        SessionId = sessionId;
        SessionVersion = sessionVersion;
        NetworkType = networkType;
        AddressType = addressType;
        UnicastAddress = unicastAddress;
        _text = $"{username} {SdpGrammar.Format(sessionId)} {SdpGrammar.Format(sessionVersion)} {networkType} {addressType} {unicastAddress}";
    }

    private SdpOrigin(string text, string username, ulong sessionId, ulong sessionVersion, string networkType, string addressType, string unicastAddress)
    {
        _text = text;
        Username = username;
        SessionId = sessionId;
        SessionVersion = sessionVersion;
        NetworkType = networkType;
        AddressType = addressType;
        UnicastAddress = unicastAddress;
    }

    /// <summary>Gets the user name.</summary>
    public string Username { get; }

    /// <summary>Gets the session id.</summary>
    public ulong SessionId { get; }

    /// <summary>Gets the session version.</summary>
    public ulong SessionVersion { get; }

    /// <summary>Gets the network type ("IN").</summary>
    public string NetworkType { get; }

    /// <summary>Gets the address type ("IP4", "IP6").</summary>
    public string AddressType { get; }

    /// <summary>Gets the unicast address.</summary>
    public string UnicastAddress { get; }

    /// <summary>Parses the value of an "o=" line.</summary>
    /// <param name="value">The text after "o=".</param>
    /// <param name="origin">The origin.</param>
    /// <returns>Whether the value matched RFC 8866 §5.2 (session id and version must fit in 64 bits).</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpOrigin? origin)
    {
        origin = null;
        ReadOnlySpan<char> rest = value;
        if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> user) || !SdpGrammar.IsNonWhitespace(user)
            || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> id) || !SdpGrammar.TryParseUInt64(id, out ulong sessionId)
            || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> ver) || !SdpGrammar.TryParseUInt64(ver, out ulong version)
            || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> net) || !SdpGrammar.IsToken(net)
            || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> addrType) || !SdpGrammar.IsToken(addrType)
            || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> address) || !SdpGrammar.IsNonWhitespace(address)
            || !rest.IsEmpty)
        {
            return false;
        }

        origin = new SdpOrigin(value.ToString(), user.ToString(), sessionId, version, net.ToString(), addrType.ToString(), address.ToString());
        return true;
    }

    /// <summary>Returns a copy with another session version (RFC 3264 §8: incremented for each new offer or answer).</summary>
    /// <param name="sessionVersion">The new version.</param>
    /// <returns>The new origin.</returns>
    public SdpOrigin WithSessionVersion(ulong sessionVersion) => new(Username, SessionId, sessionVersion, NetworkType, AddressType, UnicastAddress);

    /// <inheritdoc/>
    public bool Equals(SdpOrigin? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SdpOrigin);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    /// <summary>Returns the value of the "o=" line.</summary>
    /// <returns>The text after "o=".</returns>
    public override string ToString() => _text;
}
