using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.Stun;
using RtcStack.WebRtc.Transport;
using Xunit;

namespace RtcStack.WebRtc.Tests.Transport;

/// <content>Hostile input: random datagrams of every RFC 7983 class, full-size, from the peer's address and others.</content>
public sealed partial class WebRtcTransportTests
{
    private static readonly byte[] s_firstBytes = [0x00, 0x01, 0x03, 0x10, 0x14, 0x16, 0x17, 0x3F, 0x40, 0x4F, 0x80, 0x90, 0xBF, 0xFF];

    /// <summary>One hostile datagram: how to force its first byte (or leave it), where it comes from, its bytes.</summary>
    public sealed record Hostile(int Forced, int Source, byte[] Bytes, int Mutate);

    private static Gen<Hostile> HostileGen() =>
        from forced in Gen.Choose(-2, s_firstBytes.Length - 1)
        from source in Gen.Choose(0, 3)
        from length in Gen.Frequency((3, Gen.Choose(0, 64)), (3, Gen.Choose(0, 1500)), (1, Gen.Choose(1490, 1560)))
        from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length)
        from mutate in Gen.Choose(0, 1 << 20)
        select new Hostile(forced, source, bytes, mutate);

    [Property(MaxTest = 60)]
    public Property RandomDatagramsNeverThrowNorChangeTheStateOfAConnectedTransport()
    {
        var link = new TransportLink();
        link.Connect();
        var idle = new WebRtcTransport(new WebRtcTransportOptions { Certificate = TransportLink.CertificateB, Random = new Random(3) });
        idle.AddLocalAddress(TransportLink.AddressB);
        byte[] plain = new byte[2048];
        TransportAddress[] sources = [TransportLink.AddressA, TransportLink.AddressA, TransportAddress.Parse("192.0.2.9:4000"), TransportAddress.Parse("[2001:db8::1]:5000")];
        ushort sequence = 1;

        Arbitrary<Hostile[]> inputs = Gen.Choose(1, 24).SelectMany(n => HostileGen().ArrayOf(n)).ToArbitrary();
        return Prop.ForAll(inputs, batch =>
        {
            foreach (Hostile h in batch)
            {
                byte[] d = h.Forced switch
                {
                    // A genuine SRTP or SRTCP datagram of A's, as it is or with one bit flipped (a forgery).
                    -2 => MutatedGenuine(link, h, sequence++),
                    _ => Force(h),
                };
                TransportAddress from = sources[h.Source];
                link.B.Accepts(TransportLink.AddressB, from, d);
                TransportReceive r = link.B.HandleDatagram(TransportLink.AddressB, from, d, plain, link.Now);
                Assert.True(r.Kind != TransportReceiveKind.Dropped || r.DropReason != TransportDropReason.None);
                idle.Accepts(TransportLink.AddressB, from, d);
                idle.HandleDatagram(TransportLink.AddressB, from, d, plain, link.Now);
                link.Now += TimeSpan.FromMilliseconds(h.Mutate & 63);
                link.B.HandleTimeout(link.Now);
                link.Pump();
            }

            Assert.Equal(TransportState.Connected, link.B.State);
            Assert.Equal(TransportState.Connected, link.A.State);
            Assert.Equal(TransportState.New, idle.State);

            // The association still works: a new packet from A gets through.
            link.ReceivedByB.Clear();
            Assert.Equal(TransportSendStatus.Sent, link.A.SendRtp(TransportLink.Rtp(sequence++), link.Now));
            link.Pump();
            Assert.Contains(link.ReceivedByB, x => x.Result.Kind == TransportReceiveKind.Rtp);
        });
    }

    private static byte[] Force(Hostile h)
    {
        byte[] d = (byte[])h.Bytes.Clone();
        if (d.Length > 0 && h.Forced >= 0)
        {
            byte first = s_firstBytes[h.Forced];
            // RTP/RTCP keep the random low bits (CSRC count, payload or packet type); the others take the chosen byte.
            d[0] = first >= 0x80 && first <= 0xBF ? (byte)(0x80 | (d[0] & 0x3F)) : first;
        }

        return d;
    }

    private static byte[] MutatedGenuine(TransportLink link, Hostile h, ushort sequence)
    {
        byte[] d = ProtectedByA(link, (h.Mutate & 1) == 0 ? TransportLink.Rtp(sequence) : TransportLink.ReceiverReport(), rtcp: (h.Mutate & 1) != 0);
        if ((h.Mutate & 2) != 0)
        {
            int bit = (h.Mutate >> 2) % (d.Length * 8);
            d[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        return d;
    }
}
