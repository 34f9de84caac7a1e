using RtcStack.TestSupport;
using System.Buffers.Binary;
using System.Diagnostics.Metrics;

namespace RtcStack.Srtp.Tests;

/// <summary>Stream state, statuses and the guarantees of <see cref="SrtpContext"/>.</summary>
public class ContextTests
{
    [Theory]
    [MemberData(nameof(Packets.AllProfilesBothBackends), MemberType = typeof(Packets))]
    public void Rtp_and_rtcp_round_trip_in_place_and_by_copy(SrtpProfile profile, bool portable)
    {
        (byte[] key, byte[] salt) = Packets.Keys(profile);
        var options = new SrtpOptions { ForcePortableCrypto = portable };
        using var tx = new SrtpContext(profile, key, salt, options);
        using var rx = new SrtpContext(profile, key, salt, options);
        Assert.Equal(!portable && profile.Encrypts(), tx.UsesHardwareIntrinsics);
        for (int i = 0; i < 40; i++)
        {
            byte[] plain = Packets.Rtp(0xCAFE, (ushort)(65520 + i), payloadLength: i * 37, csrcCount: i % 4, extensionWords: (i % 3) - 1);
            byte[] buf = Packets.WithRoom(plain);
            Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, plain.Length, out int n));
            Assert.Equal(plain.Length + tx.RtpOverhead, n);
            Assert.Equal(plain[..12], buf[..12]);
            if (profile.Encrypts() && plain.Length > 40)
            {
                Assert.NotEqual(plain[^16..], buf[(plain.Length - 16)..plain.Length]);
            }

            var copy = new byte[n];
            if (i % 2 == 0)
            {
                Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(buf, n, out int m));
                Assert.Equal(plain, buf[..m]);
            }
            else
            {
                Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(buf.AsSpan(0, n), copy, out int m));
                Assert.Equal(plain, copy[..m]);
            }

            byte[] rtcp = Packets.Rtcp(0xBEEF, extra: i * 8);
            var wire = new byte[rtcp.Length + tx.RtcpOverhead];
            Assert.Equal(SrtpStatus.Ok, tx.ProtectRtcp(rtcp, wire, out int r));
            Assert.Equal(wire.Length, r);
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(wire, r, out int q));
            Assert.Equal(rtcp, wire[..q]);
        }

        Assert.True(tx.TryGetRoc(SrtpDirection.Outbound, 0xCAFE, out uint roc) && roc == 1);
        Assert.True(rx.TryGetRoc(SrtpDirection.Inbound, 0xCAFE, out uint rroc) && rroc == 1);
        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 0xCAFE, out SrtpStreamStatistics stats));
        Assert.Equal(40, stats.RtpPackets);
        Assert.Equal((ushort)23, stats.HighestSequenceNumber);
    }

    [Fact]
    public void Dtls_client_and_server_sessions_talk_to_each_other()
    {
        foreach (SrtpProfile profile in SrtpProfileExtensions.All.ToArray())
        {
            var export = new byte[SrtpKeyingMaterial.ExportLength(profile)];
            new Random((int)profile).NextBytes(export);
            using SrtpSession client = SrtpSession.FromDtlsExport(profile, export, isClient: true);
            using SrtpSession server = SrtpSession.FromDtlsExport(profile, export, isClient: false);
            byte[] plain = Packets.Rtp(1, 1, 100);
            byte[] buf = Packets.WithRoom(plain);
            Assert.Equal(SrtpStatus.Ok, client.ProtectRtp(buf, plain.Length, out int n));

            // The client's own inbound context has the server's key: its own packet does not authenticate there.
            byte[] echo = (byte[])buf.Clone();
            Assert.Equal(SrtpStatus.AuthenticationFailed, client.UnprotectRtp(echo, n, out _));
            Assert.Equal(SrtpStatus.Ok, server.UnprotectRtp(buf, n, out int m));
            Assert.Equal(plain, buf[..m]);

            byte[] rtcp = Packets.Rtcp(2);
            byte[] rbuf = Packets.WithRoom(rtcp);
            Assert.Equal(SrtpStatus.Ok, server.ProtectRtcp(rbuf, rtcp.Length, out int rn));
            Assert.Equal(SrtpStatus.Ok, client.UnprotectRtcp(rbuf, rn, out int rm));
            Assert.Equal(rtcp, rbuf[..rm]);
        }
    }

    [Fact]
    public void Wrong_key_or_salt_length_and_unknown_profiles_are_api_misuse()
    {
        Assert.Throws<ArgumentException>(() => new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, new byte[32], new byte[14]));
        Assert.Throws<ArgumentException>(() => new SrtpContext(SrtpProfile.AeadAes128Gcm, new byte[16], new byte[14]));
        Assert.Throws<ArgumentException>(() => new SrtpContext((SrtpProfile)3, new byte[16], new byte[14]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SrtpOptions { ReplayWindowSize = 63 });
        using var ctx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, new byte[16], new byte[14]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.ProtectRtp(new byte[10], 11, out _));
    }

    [Theory]
    [MemberData(nameof(Packets.AllProfiles), MemberType = typeof(Packets))]
    public void A_replayed_packet_is_refused_and_an_old_one_is_too_old(SrtpProfile profile)
    {
        (byte[] key, byte[] salt) = Packets.Keys(profile);
        using var tx = new SrtpContext(profile, key, salt);
        using var rx = new SrtpContext(profile, key, salt, new SrtpOptions { ReplayWindowSize = 64 });
        var wire = new List<byte[]>();
        for (int seq = 0; seq < 200; seq++)
        {
            byte[] buf = Packets.WithRoom(Packets.Rtp(7, (ushort)seq, 20));
            Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, 32, out int n));
            wire.Add(buf[..n]);
        }

        byte[] first = (byte[])wire[150].Clone();
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(first, first.Length, out _));
        byte[] again = (byte[])wire[150].Clone();
        Assert.Equal(SrtpStatus.Replayed, rx.UnprotectRtp(again, again.Length, out _));
        Assert.Equal(wire[150], again);

        // 150 - 87 = 63 < 64 is inside the window; 150 - 86 = 64 is not.
        byte[] inside = (byte[])wire[87].Clone();
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(inside, inside.Length, out _));
        byte[] outside = (byte[])wire[86].Clone();
        Assert.Equal(SrtpStatus.TooOld, rx.UnprotectRtp(outside, outside.Length, out _));
        Assert.Equal(wire[86], outside);

        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 7, out SrtpStreamStatistics s));
        Assert.Equal(2, s.RtpPackets);
        Assert.Equal(2, s.ReplaysRejected);
    }

    [Theory]
    [MemberData(nameof(Packets.AllProfiles), MemberType = typeof(Packets))]
    public void A_forged_packet_changes_neither_the_buffer_nor_the_roc_nor_the_window(SrtpProfile profile)
    {
        (byte[] key, byte[] salt) = Packets.Keys(profile);
        using var tx = new SrtpContext(profile, key, salt);
        using var rx = new SrtpContext(profile, key, salt);
        byte[] Protect(ushort seq)
        {
            byte[] b = Packets.WithRoom(Packets.Rtp(9, seq, 50));
            Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(b, 62, out int n));
            return b[..n];
        }

        byte[] p1 = Protect(60000);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(p1, p1.Length, out _));

        // A forgery whose sequence number would have wrapped the ROC.
        byte[] forged = Protect(5);
        forged[^1] ^= 1;
        byte[] before = (byte[])forged.Clone();
        Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtp(forged, forged.Length, out int len));
        Assert.Equal(0, len);
        Assert.Equal(before, forged);
        Assert.True(rx.TryGetRoc(SrtpDirection.Inbound, 9, out uint roc) && roc == 0);

        // A forgery of a new SSRC creates no stream.
        byte[] other = Packets.WithRoom(Packets.Rtp(10, 1, 10));
        other[30] ^= 0xFF;
        Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtp(other, 22 + rx.RtpOverhead, out _));
        Assert.Equal(1, rx.GetStreamCount(SrtpDirection.Inbound));

        // The genuine packets still work: 60001 with ROC 0, and the real seq 5 (ROC 1) later.
        byte[] p2 = Protect(60001);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(p2, p2.Length, out _));
        byte[] p3 = (byte[])before.Clone();
        p3[^1] ^= 1;
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(p3, p3.Length, out _));
        Assert.True(rx.TryGetRoc(SrtpDirection.Inbound, 9, out roc) && roc == 1);
        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 9, out SrtpStreamStatistics s) && s.AuthenticationFailures == 1);
    }

    [Fact]
    public void A_receiver_joining_mid_stream_needs_the_roc()
    {
        (byte[] key, byte[] salt) = Packets.Keys(SrtpProfile.Aes128CmHmacSha1_80);
        using var tx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt);
        tx.SetRoc(SrtpDirection.Outbound, 3, 5);
        byte[] buf = Packets.WithRoom(Packets.Rtp(3, 40000, 30));
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, 42, out int n));
        Assert.True(tx.TryGetRoc(SrtpDirection.Outbound, 3, out uint txRoc) && txRoc == 5);

        using var late = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt);
        byte[] copy = buf[..n];
        Assert.Equal(SrtpStatus.AuthenticationFailed, late.UnprotectRtp(copy, n, out _));

        using var told = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt);
        told.SetRoc(SrtpDirection.Inbound, 3, 5);
        copy = buf[..n];
        Assert.Equal(SrtpStatus.Ok, told.UnprotectRtp(copy, n, out _));
        Assert.True(told.TryGetRoc(SrtpDirection.Inbound, 3, out uint roc) && roc == 5);
    }

    [Fact]
    public void Strict_contexts_refuse_unknown_ssrcs_until_added()
    {
        (byte[] key, byte[] salt) = Packets.Keys(SrtpProfile.AeadAes128Gcm);
        using var tx = new SrtpContext(SrtpProfile.AeadAes128Gcm, key, salt);
        using var rx = new SrtpContext(SrtpProfile.AeadAes128Gcm, key, salt, new SrtpOptions { StrictSsrc = true });
        byte[] buf = Packets.WithRoom(Packets.Rtp(11, 1, 30));
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, 42, out int n));
        byte[] rtcp = Packets.WithRoom(Packets.Rtcp(11));
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtcp(rtcp, 32, out int rn));
        byte[] a = buf[..n];
        Assert.Equal(SrtpStatus.UnknownSsrc, rx.UnprotectRtp(a, n, out _));
        byte[] b = rtcp[..rn];
        Assert.Equal(SrtpStatus.UnknownSsrc, rx.UnprotectRtcp(b, rn, out _));
        rx.AddStream(SrtpDirection.Inbound, 11);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(a, n, out _));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(b, rn, out _));
        Assert.True(rx.RemoveStream(SrtpDirection.Inbound, 11));
        Assert.Equal(0, rx.GetStreamCount(SrtpDirection.Inbound));
    }

    [Fact]
    public void Key_lifetime_limits_give_a_distinct_status()
    {
        (byte[] key, byte[] salt) = Packets.Keys(SrtpProfile.Aes128CmHmacSha1_80);
        using var tx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt);
        byte[] buf = Packets.WithRoom(Packets.Rtp(1, 1, 10));
        tx.SrtpPacketsProtected = SrtpContext.MaxSrtpPackets - 1;
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, 22, out _));
        buf = Packets.WithRoom(Packets.Rtp(1, 2, 10));
        byte[] before = (byte[])buf.Clone();
        Assert.Equal(SrtpStatus.KeyLimitReached, tx.ProtectRtp(buf, 22, out int n));
        Assert.Equal(0, n);
        Assert.Equal(before, buf);

        // The SRTCP index is 31 bits (RFC 3711 §3.4): index 2^31-1 is the last one.
        byte[] rtcp = Packets.WithRoom(Packets.Rtcp(1));
        tx.SetNextSrtcpIndex(1, 0x7FFF_FFFF);
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtcp(rtcp, 32, out _));
        rtcp = Packets.WithRoom(Packets.Rtcp(1));
        Assert.Equal(SrtpStatus.KeyLimitReached, tx.ProtectRtcp(rtcp, 32, out _));
        using var tx2 = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt);
        tx2.SrtcpPacketsProtected = SrtpContext.MaxSrtcpPackets;
        Assert.Equal(SrtpStatus.KeyLimitReached, tx2.ProtectRtcp(Packets.WithRoom(Packets.Rtcp(2)), 32, out _));

        // The ROC cannot pass 2^32 - 1.
        using var tx3 = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt);
        tx3.SetRoc(SrtpDirection.Outbound, 4, uint.MaxValue);
        Assert.Equal(SrtpStatus.Ok, tx3.ProtectRtp(Packets.WithRoom(Packets.Rtp(4, 65535, 10)), 22, out _));
        Assert.Equal(SrtpStatus.KeyLimitReached, tx3.ProtectRtp(Packets.WithRoom(Packets.Rtp(4, 0, 10)), 22, out _));
    }

    [Fact]
    public void Small_buffers_give_buffer_too_small()
    {
        using var ctx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, new byte[16], new byte[14]);
        byte[] plain = Packets.Rtp(1, 1, 10);
        byte[] exact = (byte[])plain.Clone();
        Assert.Equal(SrtpStatus.BufferTooSmall, ctx.ProtectRtp(exact, exact.Length, out _));
        Assert.Equal(plain, exact);
        Assert.Equal(SrtpStatus.BufferTooSmall, ctx.ProtectRtp(plain, new byte[plain.Length + 9], out _));
        Assert.Equal(SrtpStatus.BufferTooSmall, ctx.ProtectRtcp(Packets.Rtcp(1), new byte[32 + 13], out _));
        var wire = new byte[plain.Length + 10];
        Assert.Equal(SrtpStatus.Ok, ctx.ProtectRtp(plain, wire, out int n));
        Assert.Equal(SrtpStatus.BufferTooSmall, ctx.UnprotectRtp(wire.AsSpan(0, n), new byte[plain.Length - 1], out _));
    }

    [Theory]
    [MemberData(nameof(Packets.AllProfiles), MemberType = typeof(Packets))]
    public void Authenticated_only_srtcp_is_accepted(SrtpProfile profile)
    {
        (byte[] key, byte[] salt) = Packets.Keys(profile);
        using var tx = new SrtpContext(profile, key, salt, new SrtpOptions { EncryptRtcp = false });
        using var rx = new SrtpContext(profile, key, salt);
        byte[] rtcp = Packets.Rtcp(5, 40);
        byte[] buf = Packets.WithRoom(rtcp);
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtcp(buf, rtcp.Length, out int n));
        Assert.Equal(rtcp, buf[..rtcp.Length]);
        int wordAt = profile.IsAead() ? n - 4 : rtcp.Length;
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(buf.AsSpan(wordAt)) & 0x8000_0000u);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(buf, n, out int m));
        Assert.Equal(rtcp, buf[..m]);
    }

    [Theory]
    [MemberData(nameof(Packets.AllProfiles), MemberType = typeof(Packets))]
    public void Srtcp_index_starts_at_zero_and_a_forged_index_fails_authentication(SrtpProfile profile)
    {
        (byte[] key, byte[] salt) = Packets.Keys(profile);
        using var tx = new SrtpContext(profile, key, salt);
        using var rx = new SrtpContext(profile, key, salt);
        byte[] rtcp = Packets.Rtcp(5, 40);
        byte[] buf = Packets.WithRoom(rtcp);
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtcp(buf, rtcp.Length, out int n));
        int wordAt = profile.IsAead() ? n - 4 : rtcp.Length;
        uint word = BinaryPrimitives.ReadUInt32BigEndian(buf.AsSpan(wordAt));
        Assert.Equal(0u, word & 0x7FFF_FFFF);
        Assert.Equal(profile.Encrypts(), (word & 0x8000_0000u) != 0);

        byte[] forged = buf[..n];
        BinaryPrimitives.WriteUInt32BigEndian(forged.AsSpan(wordAt), word + 1);
        byte[] before = (byte[])forged.Clone();
        Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtcp(forged, n, out _));
        Assert.Equal(before, forged);
        byte[] replay = buf[..n];
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(buf, n, out _));
        Assert.Equal(SrtpStatus.Replayed, rx.UnprotectRtcp(replay, n, out _));
    }

    [Fact]
    public void Metrics_count_each_call_by_kind_and_status()
    {
        using var factory = new TestMeterFactory();
        var counts = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Meter.Name == "RtcStack.Srtp")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string key = instrument.Name;
            foreach (KeyValuePair<string, object?> t in tags)
            {
                key += "|" + t.Value;
            }

            counts[key] = counts.GetValueOrDefault(key) + value;
        });
        listener.Start();

        (byte[] k, byte[] s) = Packets.Keys(SrtpProfile.Aes128CmHmacSha1_80);
        using var tx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, k, s, new SrtpOptions { MeterFactory = factory });
        using var rx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, k, s, new SrtpOptions { MeterFactory = factory });
        byte[] buf = Packets.WithRoom(Packets.Rtp(1, 1, 10));
        tx.ProtectRtp(buf, 22, out int n);
        byte[] copy = buf[..n];
        rx.UnprotectRtp(buf, n, out _);
        rx.UnprotectRtp(copy, n, out _);
        byte[] second = Packets.WithRoom(Packets.Rtp(1, 2, 10));
        tx.ProtectRtp(second, 22, out n);
        second[12] ^= 1;
        rx.UnprotectRtp(second, n, out _);
        rx.UnprotectRtcp(new byte[4], 4, out _);

        Assert.Equal(2, counts["rtcstack.srtp.protect|rtp|ok"]);
        Assert.Equal(1, counts["rtcstack.srtp.unprotect|rtp|ok"]);
        Assert.Equal(1, counts["rtcstack.srtp.unprotect|rtp|replayed"]);
        Assert.Equal(1, counts["rtcstack.srtp.unprotect|rtp|authentication_failed"]);
        Assert.Equal(1, counts["rtcstack.srtp.unprotect|rtcp|malformed"]);
    }

    [Theory]
    [MemberData(nameof(Packets.AllProfiles), MemberType = typeof(Packets))]
    public void Protect_and_unprotect_allocate_nothing_once_the_stream_exists(SrtpProfile profile)
    {
        (byte[] key, byte[] salt) = Packets.Keys(profile);
        using var tx = new SrtpContext(profile, key, salt);
        using var rx = new SrtpContext(profile, key, salt);
        byte[] rtp = Packets.WithRoom(Packets.Rtp(1, 0, 1200));
        byte[] rtcp = Packets.WithRoom(Packets.Rtcp(1, 92));
        void Round(ushort seq)
        {
            BinaryPrimitives.WriteUInt16BigEndian(rtp.AsSpan(2), seq);
            tx.ProtectRtp(rtp, 1212, out int n);
            rx.UnprotectRtp(rtp, n, out _);
            tx.ProtectRtcp(rtcp, 100, out int r);
            rx.UnprotectRtcp(rtcp, r, out _);
        }

        for (ushort i = 0; i < 20; i++)
        {
            Round(i);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(20, 2000, 4, i => Round((ushort)i)));
    }
}
