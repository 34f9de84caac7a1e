using System.Buffers.Binary;
using RtcStack.Fuzz.Targets;
using RtcStack.Srtp;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Fuzz.Tests;

/// <summary>The srtp-unprotect target flags what its comment promises: a packet that authenticates without being a seed.</summary>
public class SrtpUnprotectTargetTests
{
    private static readonly string s_corpus = Path.Combine(RepoPaths.Root, "fuzz", "corpus", "srtp-unprotect");

    public static TheoryData<int> ProfileIndexes()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < SrtpProfileExtensions.All.Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ProfileIndexes))]
    public void A_packet_protected_with_the_key_that_is_no_seed_is_flagged(int profileIndex)
    {
        SrtpProfile profile = SrtpProfileExtensions.All[profileIndex];
        (byte[] key, byte[] salt) = SrtpUnprotectTarget.FixedKey(profile);
        using var sender = new SrtpContext(profile, key, salt);
        byte[] packet = new byte[12 + 40 + 64];
        packet[0] = 0x80;
        packet[1] = 111;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 4242);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 0xDEC0DE);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x5EED5EED);
        packet.AsSpan(12, 40).Fill(0x3C);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(packet, 52, out int length));

        byte[] input = [(byte)(profileIndex << 1), .. packet.AsSpan(0, length)];
        var target = new SrtpUnprotectTarget();
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => target.Run(input));
        Assert.Contains("forgery", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_keyed_seed_authenticates_and_is_recognised()
    {
        SrtpProfile[] profiles = SrtpProfileExtensions.All.ToArray();
        int keyed = 0;
        foreach (string file in Directory.GetFiles(s_corpus).Order(StringComparer.Ordinal))
        {
            byte[] input = File.ReadAllBytes(file);
            if (input.Length < 2)
            {
                continue;
            }

            SrtpProfile profile = profiles[(input[0] >> 1) % profiles.Length];
            (byte[] key, byte[] salt) = SrtpUnprotectTarget.FixedKey(profile);
            using var receiver = new SrtpContext(profile, key, salt);
            byte[] buffer = input[1..];
            SrtpStatus status = (input[0] & 1) == 0
                ? receiver.UnprotectRtp(buffer, buffer.Length, out _)
                : receiver.UnprotectRtcp(buffer, buffer.Length, out _);
            if (status == SrtpStatus.Ok)
            {
                keyed++;
                Assert.True(SrtpUnprotectTarget.IsSeed(input.AsSpan(1)), $"{Path.GetFileName(file)} authenticates but its digest is not listed");
            }
        }

        // Three seeds (small RTP, RTP with CSRCs and an extension, RTCP) for each of the 8 profiles.
        Assert.Equal(24, keyed);
    }
}
