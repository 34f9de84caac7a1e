namespace RtcStack.Sdp;

/// <summary>Checks one line's value against the grammar of its type and, for attributes this library types, the attribute's own grammar.</summary>
internal static class SdpLineValidator
{
    public static bool TryValidate(char type, ReadOnlySpan<char> value, out SdpParseErrorCode code, out string message)
    {
        code = SdpParseErrorCode.InvalidField;
        message = string.Empty;
        // Only the text fields s= and i= may be blank (RFC 8866 §9: "text" is any bytes but NUL, CR and LF; §5.3
        // recommends "s= " for a session without a name). Every other line's grammar needs a token, so a value of only
        // spaces and tabs is empty in both modes (the sdp fuzz target found strict mode accepting "z= ", which the
        // tolerant reader trims and then refused as empty).
        if (value.IsEmpty || (type is not 's' and not 'i' && value.Trim(" \t").IsEmpty))
        {
            message = $"empty {type}= line";
            code = type == 'a' ? SdpParseErrorCode.InvalidAttributeName : SdpParseErrorCode.InvalidField;
            return false;
        }

        switch (type)
        {
            case 'v':
                if (!value.SequenceEqual("0"))
                {
                    code = SdpParseErrorCode.UnsupportedVersion;
                    message = "only v=0 is defined (RFC 8866 §5.1)";
                    return false;
                }

                return true;
            case 'o':
                message = "o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> <address> with 64-bit numbers (RFC 8866 §5.2)";
                return SdpOrigin.TryParse(value, out _);
            case 'c':
                message = "c= needs <nettype> <addrtype> <connection-address> (RFC 8866 §5.7)";
                return SdpConnection.TryParse(value, out _);
            case 'b':
                message = "b= needs <bwtype>:<bandwidth> (RFC 8866 §5.8)";
                return SdpBandwidth.TryParse(value, out _);
            case 't':
                message = "t= needs <start-time> <stop-time> (RFC 8866 §5.9)";
                return SdpTiming.TryParse(value, out _);
            case 'm':
                message = "m= needs <media> <port>[/<count>] <proto> <fmt> ... with a port of 0-65535 (RFC 8866 §5.14)";
                return SdpMediaLine.TryParse(value, out _);
            case 'a':
                return TryValidateAttribute(value, out code, out message);
            default:
                return true;
        }
    }

    private static bool TryValidateAttribute(ReadOnlySpan<char> line, out SdpParseErrorCode code, out string message)
    {
        bool hasValue = SdpGrammar.TrySplit(line, ':', out ReadOnlySpan<char> name, out ReadOnlySpan<char> value);
        if (!SdpGrammar.IsToken(name))
        {
            code = SdpParseErrorCode.InvalidAttributeName;
            message = "the attribute name is not a token (RFC 8866 §5.13)";
            return false;
        }

        code = SdpParseErrorCode.InvalidAttributeValue;
        message = string.Empty;
        bool ok;
        switch (name)
        {
            case SdpAttributeNames.RtpMap:
                ok = hasValue && RtpMap.TryParse(value, out _);
                message = "a=rtpmap needs <payload type 0-127> <name>/<clock rate>[/<channels>] (RFC 8866 §6.6)";
                break;
            case SdpAttributeNames.Fmtp:
                ok = hasValue && FormatParameters.TryParse(value, out _);
                message = "a=fmtp needs <format> <parameters> (RFC 8866 §6.15)";
                break;
            case SdpAttributeNames.RtcpFeedback:
                ok = hasValue && RtcpFeedback.TryParse(value, out _);
                message = "a=rtcp-fb needs <payload type or *> <type> [<parameter>] (RFC 4585 §4.2)";
                break;
            case SdpAttributeNames.ExtMap:
                ok = hasValue && ExtMap.TryParse(value, out _);
                message = "a=extmap needs <id>[/<direction>] <URI> [<attributes>] (RFC 8285 §8)";
                break;
            case SdpAttributeNames.Ssrc:
                ok = hasValue && SsrcAttribute.TryParse(value, out _);
                message = "a=ssrc needs <32-bit ssrc> <attribute>[:<value>] (RFC 5576 §4.1)";
                break;
            case SdpAttributeNames.SsrcGroup:
                ok = hasValue && SsrcGroup.TryParse(value, out _);
                message = "a=ssrc-group needs <semantics> <32-bit ssrc>... (RFC 5576 §4.2)";
                break;
            case SdpAttributeNames.Group:
                ok = hasValue && SdpGroup.TryParse(value, out _);
                message = "a=group needs <semantics> <mid>... (RFC 5888 §5)";
                break;
            case SdpAttributeNames.Mid:
                ok = hasValue && SdpGrammar.IsToken(value);
                message = "a=mid needs a token (RFC 5888 §4)";
                break;
            case SdpAttributeNames.Msid:
                ok = hasValue && Msid.TryParse(value, out _);
                message = "a=msid needs <stream id> [<track id>] (RFC 8830 §2)";
                break;
            case SdpAttributeNames.Fingerprint:
                ok = hasValue && SdpFingerprint.TryParse(value, out _);
                message = "a=fingerprint needs <hash function> <hex pairs separated by ':'> (RFC 8122 §5)";
                break;
            case SdpAttributeNames.Setup:
                ok = hasValue && SetupRoleExtensions.TryParseSetupRole(value, out _);
                message = "a=setup needs active, passive, actpass or holdconn (RFC 4145 §4)";
                break;
            case SdpAttributeNames.IceUfrag:
            case SdpAttributeNames.IcePwd:
                ok = hasValue && value.Length <= 256 && SdpGrammar.IsIceChars(value);
                message = $"a={name} needs 1-256 ice-chars: letters, digits, '+', '/' (RFC 8839 §5.4)";
                break;
            case SdpAttributeNames.IceOptions:
                ok = hasValue && AreTokens(value);
                message = "a=ice-options needs space-separated option tags (RFC 8839 §5.6)";
                break;
            case SdpAttributeNames.Candidate:
                // The fields are ICE's to check (IceCandidate.TryParse); here only that they are there and separated by
                // single spaces, as every field of RFC 8839 §5.1's grammar is (an extension's value is *VCHAR, no space).
                ok = hasValue && !value.IsEmpty && SingleSpaced(value);
                message = "a=candidate needs a value whose fields are separated by single spaces (RFC 8839 §5.1)";
                break;
            case SdpAttributeNames.Rtcp:
                ok = hasValue && RtcpAddress.TryParse(value, out _);
                message = "a=rtcp needs <port> [<nettype> <addrtype> <address>] (RFC 3605 §2.1)";
                break;
            case SdpAttributeNames.Rid:
                ok = hasValue && Rid.TryParse(value, out _);
                message = "a=rid needs <rid-id> <send|recv> [<parameters>] (RFC 8851 §10)";
                break;
            case SdpAttributeNames.Simulcast:
                ok = hasValue && Simulcast.TryParse(value, out _);
                message = "a=simulcast needs send/recv lists of rid-ids (RFC 8853 §5.1)";
                break;
            default:
                // RFC 8866 §5.13: an attribute that is not understood is ignored, so it is kept as text.
                ok = true;
                break;
        }

        return ok;
    }

    private static bool SingleSpaced(ReadOnlySpan<char> value) =>
        value[0] != ' ' && value[^1] != ' ' && !value.Contains('\t') && !value.Contains("  ", StringComparison.Ordinal);

    private static bool AreTokens(ReadOnlySpan<char> value)
    {
        ReadOnlySpan<char> rest = value;
        while (!rest.IsEmpty)
        {
            if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> tag) || !SdpGrammar.IsToken(tag))
            {
                return false;
            }
        }

        return true;
    }
}
