namespace RtcStack.Sdp;

/// <summary>Names of the attributes this library gives typed access to, with the RFC defining each.</summary>
public static class SdpAttributeNames
{
    /// <summary>"group" (RFC 5888 §5; BUNDLE: RFC 8843).</summary>
    public const string Group = "group";

    /// <summary>"mid" (RFC 5888 §4).</summary>
    public const string Mid = "mid";

    /// <summary>"msid" (RFC 8830 §2).</summary>
    public const string Msid = "msid";

    /// <summary>"msid-semantic" (draft-ietf-mmusic-msid before RFC 8830; still written by browsers, kept untyped).</summary>
    public const string MsidSemantic = "msid-semantic";

    /// <summary>"ssrc" (RFC 5576 §4.1).</summary>
    public const string Ssrc = "ssrc";

    /// <summary>"ssrc-group" (RFC 5576 §4.2).</summary>
    public const string SsrcGroup = "ssrc-group";

    /// <summary>"rtpmap" (RFC 8866 §6.6).</summary>
    public const string RtpMap = "rtpmap";

    /// <summary>"fmtp" (RFC 8866 §6.15).</summary>
    public const string Fmtp = "fmtp";

    /// <summary>"rtcp-fb" (RFC 4585 §4.2).</summary>
    public const string RtcpFeedback = "rtcp-fb";

    /// <summary>"extmap" (RFC 8285 §8).</summary>
    public const string ExtMap = "extmap";

    /// <summary>"extmap-allow-mixed" (RFC 8285 §6).</summary>
    public const string ExtMapAllowMixed = "extmap-allow-mixed";

    /// <summary>"rtcp" (RFC 3605 §2.1).</summary>
    public const string Rtcp = "rtcp";

    /// <summary>"rtcp-mux" (RFC 5761 §5.1.1).</summary>
    public const string RtcpMux = "rtcp-mux";

    /// <summary>"rtcp-mux-only" (RFC 8858 §3).</summary>
    public const string RtcpMuxOnly = "rtcp-mux-only";

    /// <summary>"rtcp-rsize" (RFC 5506 §5).</summary>
    public const string RtcpReducedSize = "rtcp-rsize";

    /// <summary>"ice-ufrag" (RFC 8839 §5.4).</summary>
    public const string IceUfrag = "ice-ufrag";

    /// <summary>"ice-pwd" (RFC 8839 §5.4).</summary>
    public const string IcePwd = "ice-pwd";

    /// <summary>"ice-options" (RFC 8839 §5.6).</summary>
    public const string IceOptions = "ice-options";

    /// <summary>"ice-lite" (RFC 8839 §5.3).</summary>
    public const string IceLite = "ice-lite";

    /// <summary>"candidate" (RFC 8839 §5.1; its grammar belongs to the ICE library).</summary>
    public const string Candidate = "candidate";

    /// <summary>"end-of-candidates" (RFC 8840 §8.2).</summary>
    public const string EndOfCandidates = "end-of-candidates";

    /// <summary>"fingerprint" (RFC 8122 §5).</summary>
    public const string Fingerprint = "fingerprint";

    /// <summary>"setup" (RFC 4145 §4, RFC 8842 §5).</summary>
    public const string Setup = "setup";

    /// <summary>"bundle-only" (RFC 8843 §6).</summary>
    public const string BundleOnly = "bundle-only";

    /// <summary>"rid" (RFC 8851 §4).</summary>
    public const string Rid = "rid";

    /// <summary>"simulcast" (RFC 8853 §5.1).</summary>
    public const string Simulcast = "simulcast";

    /// <summary>"sendrecv" (RFC 8866 §6.7.1).</summary>
    public const string SendRecv = "sendrecv";

    /// <summary>"sendonly" (RFC 8866 §6.7.3).</summary>
    public const string SendOnly = "sendonly";

    /// <summary>"recvonly" (RFC 8866 §6.7.2).</summary>
    public const string RecvOnly = "recvonly";

    /// <summary>"inactive" (RFC 8866 §6.7.4).</summary>
    public const string Inactive = "inactive";

    /// <summary>"ptime" (RFC 8866 §6.4).</summary>
    public const string PacketTime = "ptime";

    /// <summary>"maxptime" (RFC 8866 §6.5).</summary>
    public const string MaxPacketTime = "maxptime";
}
