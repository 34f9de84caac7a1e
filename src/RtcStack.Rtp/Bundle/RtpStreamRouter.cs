using System.Text;

namespace RtcStack.Rtp.Bundle;

/// <summary>
/// Associates received RTP streams with the media sections ("m=" sections) of one BUNDLE group, by the rules of
/// RFC 8843 §9.2: the MID header extension first (and the SSRC is bound to that section from then on), then an SSRC
/// already bound (signalled with <c>a=ssrc</c> or learned from a MID), then a payload type that only one section
/// receives. Within a section, the RtpStreamId (RID) and RepairedRtpStreamId header extensions (RFC 8852 §3) name the
/// simulcast encoding and its repair (RTX) stream, and bind the SSRC to it on its first packet (RFC 8853 §5.4).
/// Sans-IO and allocation-free per packet: MID and RID values are compared as the bytes they are on the wire.
/// </summary>
/// <remarks>
/// The incoming SSRC table is bounded (<see cref="MaxBoundSsrcs"/>): a sender that keeps inventing SSRCs (after SRTP
/// authentication, so a misbehaving peer rather than an attacker) gets <see cref="RtpRouteStatus.TooManyStreams"/>
/// for new ones, and existing streams keep flowing.
/// </remarks>
public sealed class RtpStreamRouter
{
    private readonly List<Section> _sections = [];
    private readonly Dictionary<uint, Binding> _ssrcs = [];
    private readonly Dictionary<byte, int> _payloadTypes = [];
    private readonly HashSet<byte> _ambiguousPayloadTypes = [];

    /// <summary>Creates a router that binds at most <paramref name="maxBoundSsrcs"/> incoming SSRCs.</summary>
    public RtpStreamRouter(int maxBoundSsrcs = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBoundSsrcs, 1);
        MaxBoundSsrcs = maxBoundSsrcs;
    }

    /// <summary>Gets the most SSRCs bound at once.</summary>
    public int MaxBoundSsrcs { get; }

    /// <summary>Gets the number of SSRCs bound to a section.</summary>
    public int BoundSsrcCount => _ssrcs.Count;

    /// <summary>Gets the number of sections (removed ones included until <see cref="Clear"/>: indexes stay stable).</summary>
    public int SectionCount => _sections.Count;

    /// <summary>
    /// Adds a section of the BUNDLE group that receives RTP (RFC 8843 §9.2 table construction): its MID, the
    /// payload types it receives, and the RIDs of the encodings it receives (<c>a=rid:... recv</c>, RFC 8851), if any.
    /// A payload type that two sections receive is dropped from the payload-type table (it identifies neither).
    /// </summary>
    /// <returns>The section's index, as <see cref="RtpRoute.Section"/> reports it.</returns>
    /// <exception cref="ArgumentException">The MID is empty, longer than 255 bytes, or already used.</exception>
    public int AddSection(string mid, ReadOnlySpan<byte> payloadTypes, IReadOnlyList<string>? rids = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(mid);
        byte[] midBytes = Encoding.ASCII.GetBytes(mid);
        if (midBytes.Length > 255)
        {
            throw new ArgumentException("a MID is at most 255 bytes (RFC 8843 §15.2 header extension)", nameof(mid));
        }

        if (FindSection(midBytes) >= 0)
        {
            throw new ArgumentException($"MID '{mid}' is already in the group (RFC 8843 §9.2: one section per MID)", nameof(mid));
        }

        var section = new Section(mid, midBytes, payloadTypes.ToArray(), rids?.Select(r => Encoding.ASCII.GetBytes(r)).ToArray() ?? []);
        int index = _sections.Count;
        _sections.Add(section);
        foreach (byte pt in section.PayloadTypes)
        {
            if (_ambiguousPayloadTypes.Contains(pt))
            {
                continue;
            }

            if (_payloadTypes.Remove(pt))
            {
                _ambiguousPayloadTypes.Add(pt);
            }
            else
            {
                _payloadTypes[pt] = index;
            }
        }

        return index;
    }

    /// <summary>
    /// Takes a section out of the group (stopped or rejected in a later offer/answer): its MID no longer routes, its
    /// SSRCs are unbound, and its payload types are no longer in the table (RFC 8843 §9.2: "the tables above MUST
    /// also be updated"). The indexes of other sections do not change.
    /// </summary>
    public void RemoveSection(string mid)
    {
        int index = FindSection(Encoding.ASCII.GetBytes(mid));
        if (index < 0)
        {
            return;
        }

        _sections[index] = _sections[index] with { Removed = true };
        foreach (KeyValuePair<uint, Binding> kv in _ssrcs)
        {
            if (kv.Value.Section == index)
            {
                _ssrcs.Remove(kv.Key);
            }
        }

        RebuildPayloadTypes();
    }

    /// <summary>Forgets every section and binding.</summary>
    public void Clear()
    {
        _sections.Clear();
        _ssrcs.Clear();
        _payloadTypes.Clear();
        _ambiguousPayloadTypes.Clear();
    }

    /// <summary>Binds an SSRC signalled for a section (<c>a=ssrc</c>, RFC 5576), optionally to one of its RIDs.</summary>
    /// <returns>False if the MID is unknown, the RID is not the section's, or the table is full.</returns>
    public bool BindSsrc(uint ssrc, string mid, string? rid = null, bool repair = false)
    {
        int index = FindSection(Encoding.ASCII.GetBytes(mid));
        if (index < 0)
        {
            return false;
        }

        int ridIndex = -1;
        if (rid is not null && (ridIndex = FindRid(_sections[index], Encoding.ASCII.GetBytes(rid))) < 0)
        {
            return false;
        }

        if (!_ssrcs.ContainsKey(ssrc) && _ssrcs.Count >= MaxBoundSsrcs)
        {
            return false;
        }

        _ssrcs[ssrc] = new Binding(index, ridIndex, repair, HasMidSequence: false, MidSequence: 0);
        return true;
    }

    /// <summary>Unbinds an SSRC (after an RTCP BYE and the straggler delay of RFC 3550 §6.2.1).</summary>
    public bool Unbind(uint ssrc) => _ssrcs.Remove(ssrc);

    /// <summary>
    /// Routes one received RTP packet (after SRTP authentication). <paramref name="mid"/>, <paramref name="rid"/> and
    /// <paramref name="repairedRid"/> are the values of the sdes:mid, sdes:rtp-stream-id and
    /// sdes:repaired-rtp-stream-id header extensions, empty when absent.
    /// </summary>
    public RtpRoute Route(uint ssrc, ushort sequenceNumber, byte payloadType, ReadOnlySpan<byte> mid, ReadOnlySpan<byte> rid = default, ReadOnlySpan<byte> repairedRid = default)
    {
        bool bound = _ssrcs.TryGetValue(ssrc, out Binding binding);
        if (!mid.IsEmpty)
        {
            int index = FindSection(mid);
            if (index < 0)
            {
                // RFC 8843 §9.2: a MID that names no section of the group: not decoded.
                return new RtpRoute(RtpRouteStatus.UnknownMid, -1, -1, false);
            }

            // RFC 7941 §4.2.6 (through RFC 8843 §9.2): only a packet newer than the last one that set the MID moves
            // the stream; a reordered older packet does not undo a change.
            if (!bound || !binding.HasMidSequence || IsNewer(sequenceNumber, binding.MidSequence) || binding.Section == index)
            {
                if (!bound && _ssrcs.Count >= MaxBoundSsrcs)
                {
                    return new RtpRoute(RtpRouteStatus.TooManyStreams, -1, -1, false);
                }

                int ridIndex = bound && binding.Section == index ? binding.RidIndex : -1;
                bool repair = bound && binding.Section == index && binding.IsRepair;
                binding = new Binding(index, ridIndex, repair, HasMidSequence: true, MidSequence: sequenceNumber);
                bound = true;
                _ssrcs[ssrc] = binding;
            }
        }

        if (!bound)
        {
            // RFC 8843 §9.2: no MID and an unknown SSRC: a payload type only one section receives decides.
            if (!_payloadTypes.TryGetValue(payloadType, out int byType))
            {
                return new RtpRoute(RtpRouteStatus.Unroutable, -1, -1, false);
            }

            if (_ssrcs.Count >= MaxBoundSsrcs)
            {
                return new RtpRoute(RtpRouteStatus.TooManyStreams, -1, -1, false);
            }

            binding = new Binding(byType, -1, false, HasMidSequence: false, MidSequence: 0);
            _ssrcs[ssrc] = binding;
        }

        Section section = _sections[binding.Section];
        if (Array.IndexOf(section.PayloadTypes, payloadType) < 0)
        {
            // RFC 8843 §9.2: the SSRC's section does not receive this payload type: not decoded.
            return new RtpRoute(RtpRouteStatus.PayloadTypeNotInSection, binding.Section, binding.RidIndex, binding.IsRepair);
        }

        // RFC 8852 §3 / RFC 8853 §5.4: a RID (or repaired RID) names the encoding; the first one binds the SSRC to it.
        if (binding.RidIndex < 0 && section.Rids.Length > 0)
        {
            bool isRepair = rid.IsEmpty && !repairedRid.IsEmpty;
            ReadOnlySpan<byte> name = isRepair ? repairedRid : rid;
            if (!name.IsEmpty)
            {
                int ridIndex = FindRid(section, name);
                if (ridIndex < 0)
                {
                    return new RtpRoute(RtpRouteStatus.UnknownRid, binding.Section, -1, isRepair);
                }

                binding = binding with { RidIndex = ridIndex, IsRepair = isRepair };
                _ssrcs[ssrc] = binding;
            }
        }

        return new RtpRoute(RtpRouteStatus.Routed, binding.Section, binding.RidIndex, binding.IsRepair);
    }

    /// <summary>Gets the MID of a section by index.</summary>
    public string GetMid(int section) => _sections[section].Mid;

    /// <summary>Gets the index of the section with <paramref name="mid"/>, or -1.</summary>
    public int FindSection(string mid) => FindSection(Encoding.ASCII.GetBytes(mid));

    private int FindSection(ReadOnlySpan<byte> mid)
    {
        for (int i = 0; i < _sections.Count; i++)
        {
            if (!_sections[i].Removed && mid.SequenceEqual(_sections[i].MidBytes))
            {
                return i;
            }
        }

        return -1;
    }

    private static int FindRid(Section section, ReadOnlySpan<byte> rid)
    {
        for (int i = 0; i < section.Rids.Length; i++)
        {
            if (rid.SequenceEqual(section.Rids[i]))
            {
                return i;
            }
        }

        return -1;
    }

    // RFC 1982 serial number arithmetic on 16 bits.
    private static bool IsNewer(ushort a, ushort b) => a != b && (ushort)(a - b) < 0x8000;

    private void RebuildPayloadTypes()
    {
        _payloadTypes.Clear();
        _ambiguousPayloadTypes.Clear();
        for (int i = 0; i < _sections.Count; i++)
        {
            if (_sections[i].Removed)
            {
                continue;
            }

            foreach (byte pt in _sections[i].PayloadTypes)
            {
                if (_ambiguousPayloadTypes.Contains(pt))
                {
                    continue;
                }

                if (_payloadTypes.Remove(pt))
                {
                    _ambiguousPayloadTypes.Add(pt);
                }
                else
                {
                    _payloadTypes[pt] = i;
                }
            }
        }
    }

    private sealed record Section(string Mid, byte[] MidBytes, byte[] PayloadTypes, byte[][] Rids, bool Removed = false);

    private readonly record struct Binding(int Section, int RidIndex, bool IsRepair, bool HasMidSequence, ushort MidSequence);
}
