using System.Buffers.Binary;
using RtcStack.Sctp;
using RtcStack.Sctp.Packets;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// An established <see cref="SctpAssociation"/> (handshake done with a peer in virtual time) fed hostile packets.
/// The input is a sequence of records: a header byte (bit 0: give the packet the right ports and verification
/// tag; bit 1: fix the CRC32c; bit 2: let the peer answer in between; bits 3-7: time step in ms), a 2-byte length
/// and the bytes. The association must never throw, its timer must stay finite, its receive buffer bounded, and
/// the pair must go quiet (or close) within bounded virtual time afterwards. This target runs the association with
/// DATA (interleaving off); <see cref="SctpAssociationIDataTarget"/> runs the same with I-DATA negotiated (RFC 8260).
/// </summary>
[FuzzTarget("sctp-association")]
public sealed class SctpAssociationTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data) => Run(data, interleaving: false);

    /// <summary>Runs one input against a pair that negotiated I-DATA or not, zero checksums or not.</summary>
    /// <param name="data">The records.</param>
    /// <param name="interleaving">Whether both sides offer I-DATA (RFC 8260 §2.2.1).</param>
    /// <param name="zeroChecksum">Whether both sides enable RFC 9653 zero checksums; then header bit 1 writes a zero
    /// checksum instead of the CRC32c, which the association accepts except with INIT or COOKIE ECHO.</param>
    /// <param name="pathMtuDiscovery">Whether both sides run RFC 8899 path MTU discovery (HEARTBEAT and PAD probes).</param>
    internal static void Run(ReadOnlySpan<byte> data, bool interleaving, bool zeroChecksum = false, bool pathMtuDiscovery = false)
    {
        var a = new SctpAssociation(new SctpAssociationOptions
        {
            Random = new Random(1), EnableMessageInterleaving = interleaving, EnableZeroChecksum = zeroChecksum, EnablePathMtuDiscovery = pathMtuDiscovery,
        });
        var b = new SctpAssociation(new SctpAssociationOptions
        {
            Random = new Random(2), EnableMessageInterleaving = interleaving, EnableZeroChecksum = zeroChecksum, EnablePathMtuDiscovery = pathMtuDiscovery,
        });
        TimeSpan now = TimeSpan.FromSeconds(1);
        a.Connect(now);
        b.Connect(now);
        uint tagAtB = 0;
        for (int i = 0; i < 20 && (a.State != SctpAssociationState.Established || b.State != SctpAssociationState.Established); i++)
        {
            tagAtB = Exchange(a, b, now, tagAtB);
            now += TimeSpan.FromMilliseconds(10);
        }

        if (a.State != SctpAssociationState.Established || b.State != SctpAssociationState.Established || tagAtB == 0
            || b.MessageInterleaving != interleaving || b.ZeroChecksum != zeroChecksum)
        {
            throw new InvalidOperationException("set-up did not connect as configured");
        }

        a.Send(0, 51, "hello"u8, now);
        a.Send(1, 53, new byte[3000], now, new SctpSendOptions(Unordered: true));
        a.Send(2, 53, new byte[5000], now, new SctpSendOptions(MaxRetransmits: 0));
        tagAtB = Exchange(a, b, now, tagAtB);

        byte[] packet = new byte[4096];
        int o = 0;
        while (o + 3 <= data.Length)
        {
            int header = data[o];
            int length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(data[(o + 1)..]), Math.Min(data.Length - o - 3, packet.Length));
            ReadOnlySpan<byte> bytes = data.Slice(o + 3, length);
            o += 3 + length;
            int n = bytes.Length;
            bytes.CopyTo(packet);
            if ((header & 1) != 0 && n >= 12)
            {
                BinaryPrimitives.WriteUInt16BigEndian(packet, 5000);
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 5000);
                BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), tagAtB);
            }

            if ((header & 2) != 0 && n >= 12)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(8), zeroChecksum ? 0 : SctpPacket.ComputeChecksum(packet.AsSpan(0, n)));
            }

            now += TimeSpan.FromMilliseconds(header >> 3);
            b.HandleDatagram(packet.AsSpan(0, n), now);
            if (b.PollTimeout() is TimeSpan t && t > now + TimeSpan.FromHours(2))
            {
                throw new InvalidOperationException($"timer {t - now} ahead");
            }

            if (b.PathMtu < 64 || b.PathMtu > Math.Max(b.Options.MaxPacketSize, pathMtuDiscovery ? b.Options.MaxPathMtu : 0))
            {
                throw new InvalidOperationException($"PLPMTU {b.PathMtu}");
            }

            if (b.ReceiveBufferedBytes > b.Options.ReceiveBufferSize + 65536 || b.ReceiveBufferedBytes < 0)
            {
                throw new InvalidOperationException($"receive buffer {b.ReceiveBufferedBytes}");
            }

            if ((header & 4) != 0)
            {
                tagAtB = Exchange(a, b, now, tagAtB);
            }
            else
            {
                while (b.TryPollTransmit(out _))
                {
                }

                while (b.TryPollEvent(out _))
                {
                }
            }
        }

        // Bounded quiet-down: run timers for a while; each step must move time forward.
        for (int step = 0; step < 500; step++)
        {
            TimeSpan? next = Min(a.PollTimeout(), b.PollTimeout());
            if (next is not TimeSpan n2 || n2 > now + TimeSpan.FromHours(2))
            {
                break;
            }

            now = n2 > now ? n2 : now + TimeSpan.FromMilliseconds(1);
            a.HandleTimeout(now);
            b.HandleTimeout(now);
            tagAtB = Exchange(a, b, now, tagAtB);
        }
    }

    private static TimeSpan? Min(TimeSpan? x, TimeSpan? y) => x is null ? y : y is null ? x : (x < y ? x : y);

    private static uint Exchange(SctpAssociation a, SctpAssociation b, TimeSpan now, uint tagAtB)
    {
        for (int round = 0; round < 50; round++)
        {
            bool any = false;
            while (a.TryPollTransmit(out ReadOnlyMemory<byte> p))
            {
                any = true;
                uint tag = BinaryPrimitives.ReadUInt32BigEndian(p.Span[4..]);
                if (tag != 0)
                {
                    tagAtB = tag;
                }

                b.HandleDatagram(p.Span, now);
            }

            while (b.TryPollTransmit(out ReadOnlyMemory<byte> p))
            {
                any = true;
                a.HandleDatagram(p.Span, now);
            }

            while (a.TryPollEvent(out _))
            {
            }

            while (b.TryPollEvent(out _))
            {
            }

            if (!any)
            {
                break;
            }
        }

        return tagAtB;
    }
}
