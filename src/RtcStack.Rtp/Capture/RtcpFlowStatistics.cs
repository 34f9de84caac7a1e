using System.Buffers.Binary;

namespace RtcStack.Rtp.Capture;

/// <summary>
/// RTCP seen on one UDP 5-tuple from one sender SSRC: how many datagrams, and how many packets of
/// each type their compound packets held (RFC 3550 §6.1: packets follow each other, each with its
/// own length field).
/// </summary>
public sealed class RtcpFlowStatistics
{
    private readonly Dictionary<string, long> _types = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    internal RtcpFlowStatistics(UdpFlow flow, uint senderSsrc)
    {
        Flow = flow;
        SenderSsrc = senderSsrc;
    }

    /// <summary>Gets the UDP 5-tuple.</summary>
    public UdpFlow Flow { get; }

    /// <summary>Gets the SSRC of the sender of the first packet in each compound (RFC 3550 §6.4).</summary>
    public uint SenderSsrc { get; }

    /// <summary>Gets the number of RTCP datagrams (compound packets).</summary>
    public long Datagrams { get; private set; }

    /// <summary>Gets the number of UDP payload bytes.</summary>
    public long Bytes { get; private set; }

    /// <summary>Gets the first arrival, in nanoseconds since the Unix epoch.</summary>
    public long FirstArrivalNanoseconds { get; private set; }

    /// <summary>Gets the last arrival, in nanoseconds since the Unix epoch.</summary>
    public long LastArrivalNanoseconds { get; private set; }

    /// <summary>Gets the packet counts by type name (SR, RR, SDES, BYE, APP, XR, NACK, TWCC, PLI, FIR, REMB, ...), in order of first appearance.</summary>
    public IEnumerable<KeyValuePair<string, long>> PacketTypes
    {
        get
        {
            foreach (string name in _order)
            {
                yield return new KeyValuePair<string, long>(name, _types[name]);
            }
        }
    }

    /// <summary>Gets how many packets of type <paramref name="name"/> were seen.</summary>
    public long Count(string name) => _types.GetValueOrDefault(name);

    internal void Add(long arrivalNanoseconds, ReadOnlySpan<byte> compound)
    {
        if (Datagrams == 0)
        {
            FirstArrivalNanoseconds = arrivalNanoseconds;
        }

        LastArrivalNanoseconds = arrivalNanoseconds;
        Datagrams++;
        Bytes += compound.Length;

        // Walk the headers while they hold together. SRTCP encrypts everything after the first
        // 8 bytes (RFC 3711 §3.4), so a walk that stops early is expected there.
        while (compound.Length >= 4 && compound[0] >> 6 == 2)
        {
            int length = (BinaryPrimitives.ReadUInt16BigEndian(compound[2..]) + 1) * 4;
            if (length > compound.Length)
            {
                break;
            }

            Increment(TypeName(compound[..length]));
            compound = compound[length..];
        }
    }

    /// <summary>Names a packet by RFC 3550 §12.1 type, RFC 4585 §6.1 FMT, and the REMB identifier.</summary>
    internal static string TypeName(ReadOnlySpan<byte> packet)
    {
        int fmt = packet[0] & 0x1F;
        return packet[1] switch
        {
            200 => "SR",
            201 => "RR",
            202 => "SDES",
            203 => "BYE",
            204 => "APP",
            207 => "XR",
            205 => fmt switch
            {
                1 => "NACK",
                3 => "TMMBR",
                4 => "TMMBN",
                15 => "TWCC",
                _ => $"RTPFB{fmt}",
            },
            206 => fmt switch
            {
                1 => "PLI",
                2 => "SLI",
                3 => "RPSI",
                4 => "FIR",
                15 when packet.Length >= 16 && packet.Slice(12, 4).SequenceEqual("REMB"u8) => "REMB",
                15 => "AFB",
                _ => $"PSFB{fmt}",
            },
            _ => $"PT{packet[1]}",
        };
    }

    private void Increment(string name)
    {
        if (_types.TryGetValue(name, out long n))
        {
            _types[name] = n + 1;
        }
        else
        {
            _types[name] = 1;
            _order.Add(name);
        }
    }
}
