using RtcStack.Stun;

namespace RtcStack.Ice;

/// <summary>
/// One ICE candidate (RFC 8445 §5.1), local or remote, as carried in SDP/trickle
/// (<c>candidate:</c> attribute, RFC 8839 §5.1). Immutable; parse with <see cref="TryParse"/>,
/// write with <see cref="ToString"/> or <see cref="TryFormat"/>.
/// </summary>
public sealed partial class IceCandidate
{
    /// <summary>RFC 8445 §5.1.2.2: recommended type preference of host candidates.</summary>
    public const int HostTypePreference = 126;

    /// <summary>RFC 8445 §5.1.2.2: recommended type preference of peer-reflexive candidates.</summary>
    public const int PeerReflexiveTypePreference = 110;

    /// <summary>RFC 8445 §5.1.2.2: recommended type preference of server-reflexive candidates.</summary>
    public const int ServerReflexiveTypePreference = 100;

    /// <summary>RFC 8445 §5.1.2.2: recommended type preference of relayed candidates.</summary>
    public const int RelayedTypePreference = 0;

    private static readonly KeyValuePair<string, string>[] s_noExtensions = [];

    /// <summary>Initializes a new candidate with an IP address.</summary>
    public IceCandidate(
        string foundation,
        int component,
        IceTransportProtocol protocol,
        uint priority,
        TransportAddress address,
        IceCandidateType type,
        TransportAddress relatedAddress = default,
        IceTcpType tcpType = IceTcpType.None,
        int? generation = null,
        string? ufrag = null,
        IReadOnlyList<KeyValuePair<string, string>>? extensions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(foundation);
        if (component is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(component), "RFC 8445 §5.1.1.1: component IDs are 1-256");
        }

        Foundation = foundation;
        Component = component;
        Protocol = protocol;
        Priority = priority;
        Address = address;
        Port = address.Port;
        Type = type;
        RelatedAddress = relatedAddress;
        TcpType = tcpType;
        Generation = generation;
        Ufrag = ufrag;
        Extensions = extensions ?? s_noExtensions;
    }

    private IceCandidate(string foundation, int component, IceTransportProtocol protocol, uint priority, string hostName, int port, IceCandidateType type)
    {
        Foundation = foundation;
        Component = component;
        Protocol = protocol;
        Priority = priority;
        HostName = hostName;
        Port = port;
        Type = type;
        Extensions = s_noExtensions;
    }

    /// <summary>Gets the foundation (RFC 8445 §5.1.1.3), 1-32 ice-chars.</summary>
    public string Foundation { get; }

    /// <summary>Gets the component ID (1 = RTP, 2 = RTCP without rtcp-mux).</summary>
    public int Component { get; }

    /// <summary>Gets the transport protocol.</summary>
    public IceTransportProtocol Protocol { get; }

    /// <summary>Gets the priority (RFC 8445 §5.1.2).</summary>
    public uint Priority { get; }

    /// <summary>Gets the IP address and port; empty when the candidate names a host (<see cref="HostName"/>, e.g. an mDNS ".local" name).</summary>
    public TransportAddress Address { get; private init; }

    /// <summary>Gets the host name when the connection address is not an IP literal (RFC 8839 §5.1, mDNS candidates), else null.</summary>
    public string? HostName { get; private init; }

    /// <summary>Gets the port.</summary>
    public int Port { get; private init; }

    /// <summary>Gets the candidate type.</summary>
    public IceCandidateType Type { get; }

    /// <summary>Gets raddr/rport (the base for srflx/prflx, the mapped address for relay); empty if absent.</summary>
    public TransportAddress RelatedAddress { get; private init; }

    /// <summary>Gets the RFC 6544 tcptype.</summary>
    public IceTcpType TcpType { get; private init; }

    /// <summary>Gets the "generation" extension (browsers send it), or null.</summary>
    public int? Generation { get; private init; }

    /// <summary>Gets the "ufrag" extension (browsers send it), or null.</summary>
    public string? Ufrag { get; private init; }

    /// <summary>Gets every other extension pair, in order (e.g. network-id, network-cost), kept for round trips.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; private init; }

    /// <summary>
    /// RFC 8445 §5.1.2.1: priority = 2^24 * type preference + 2^8 * local preference + (256 - component ID).
    /// </summary>
    public static uint ComputePriority(int typePreference, int localPreference, int component)
    {
        if (typePreference is < 0 or > 126 || localPreference is < 0 or > 65535 || component is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(typePreference), "RFC 8445 §5.1.2.1 ranges: type 0-126, local 0-65535, component 1-256");
        }

        return (uint)((typePreference << 24) + (localPreference << 8) + (256 - component));
    }

    /// <summary>Gets the recommended type preference of a candidate type (RFC 8445 §5.1.2.2).</summary>
    public static int TypePreference(IceCandidateType type) => type switch
    {
        IceCandidateType.Host => HostTypePreference,
        IceCandidateType.PeerReflexive => PeerReflexiveTypePreference,
        IceCandidateType.ServerReflexive => ServerReflexiveTypePreference,
        _ => RelayedTypePreference,
    };

    /// <summary>Returns a copy with another priority (used for peer-reflexive candidates).</summary>
    internal IceCandidate WithFoundation(string foundation) => new(foundation, Component, Protocol, Priority, Address, Type, RelatedAddress, TcpType, Generation, Ufrag, Extensions)
    {
        HostName = HostName,
        Port = Port,
    };

    /// <summary>Gets the SDP name of a candidate type ("host", "srflx", "prflx", "relay").</summary>
    public static string TypeName(IceCandidateType type) => type switch
    {
        IceCandidateType.Host => "host",
        IceCandidateType.ServerReflexive => "srflx",
        IceCandidateType.PeerReflexive => "prflx",
        _ => "relay",
    };
}
