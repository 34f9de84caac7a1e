using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RtcStack.Stun;

namespace RtcStack.Benchmarks.Stun;

/// <summary>
/// An ICE connectivity check as a browser sends it (USERNAME, PRIORITY, ICE-CONTROLLING,
/// USE-CANDIDATE, a comprehension-optional GOOG-NETWORK-INFO, MESSAGE-INTEGRITY, FINGERPRINT;
/// 108 bytes): parse + integrity + fingerprint check, and build. Reference in the same run: the
/// straightforward way many STUN libraries do it, parsing attributes into a dictionary of arrays,
/// copying the message to patch the length, HMACSHA1.HashData/Crc32 on arrays, comparing with
/// SequenceEqual; and building through a MemoryStream. Same primitives (OpenSSL HMAC-SHA1,
/// System.IO.Hashing CRC-32) on both sides, so the ratio measures the message handling.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class StunBindingBenchmarks
{
    private static readonly byte[] s_key = "remotepasswordremotepasswd"u8.ToArray();
    private static readonly StunIntegrityKey s_preparedKey = new(s_key);
    private byte[] _request = null!;
    private readonly byte[] _out = new byte[256];
    private StunTransactionId _tid;

    [GlobalSetup]
    public void Setup()
    {
        _tid = StunTransactionId.NewRandom();
        _request = Build(_out, _tid).ToArray();
        if (ParseAndVerify() != 1845501695u || NaiveParseAndVerify() != 1845501695u || ParseAndVerifyPreparedKey() != 1845501695u)
        {
            throw new InvalidOperationException("benchmark setup: verification failed");
        }

        if (!NaiveBuild().AsSpan().SequenceEqual(_request) || !BuildPrepared(_out, _tid).SequenceEqual(_request))
        {
            throw new InvalidOperationException("benchmark setup: builders disagree");
        }
    }

    /// <summary>Gets the request the parse benchmarks read (after <see cref="Setup"/>), for benchmarks/rtp-vs-pion.sh.</summary>
    internal ReadOnlySpan<byte> Request => _request;

    /// <summary>Gets the short-term key (the remote ICE password) the request is signed with.</summary>
    internal static ReadOnlySpan<byte> Key => s_key;

    [BenchmarkCategory("Parse+verify"), Benchmark]
    public uint ParseAndVerify()
    {
        if (StunMessageReader.TryParse(_request, out StunMessageReader m) != StunParseStatus.Ok
            || !m.VerifyFingerprint()
            || !m.VerifyMessageIntegrity(s_key)
            || !m.TryGetAttribute(StunAttributeType.Username, out ReadOnlySpan<byte> user) || user.Length == 0
            || !m.TryGetUInt64(StunAttributeType.IceControlling, out _)
            || !m.HasAttribute(StunAttributeType.UseCandidate)
            || !m.TryGetUInt32(StunAttributeType.Priority, out uint priority))
        {
            return 0;
        }

        return priority;
    }

    [BenchmarkCategory("Parse+verify"), Benchmark]
    public uint ParseAndVerifyPreparedKey()
    {
        if (StunMessageReader.TryParse(_request, out StunMessageReader m) != StunParseStatus.Ok
            || !m.VerifyFingerprint()
            || !m.VerifyMessageIntegrity(s_preparedKey)
            || !m.TryGetAttribute(StunAttributeType.Username, out ReadOnlySpan<byte> user) || user.Length == 0
            || !m.TryGetUInt64(StunAttributeType.IceControlling, out _)
            || !m.HasAttribute(StunAttributeType.UseCandidate)
            || !m.TryGetUInt32(StunAttributeType.Priority, out uint priority))
        {
            return 0;
        }

        return priority;
    }

    [BenchmarkCategory("Parse+verify"), Benchmark(Baseline = true)]
    public uint NaiveParseAndVerify()
    {
        byte[] msg = _request;
        if (msg.Length < 20 || BinaryPrimitives.ReadUInt32BigEndian(msg.AsSpan(4)) != StunMessageReader.MagicCookie)
        {
            return 0;
        }

        var attributes = new Dictionary<ushort, byte[]>();
        int miOffset = -1;
        int fpOffset = -1;
        int offset = 20;
        while (offset + 4 <= msg.Length)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(msg.AsSpan(offset));
            int len = BinaryPrimitives.ReadUInt16BigEndian(msg.AsSpan(offset + 2));
            if (offset + 4 + len > msg.Length)
            {
                return 0;
            }

            if (type == 0x0008)
            {
                miOffset = offset;
            }
            else if (type == 0x8028)
            {
                fpOffset = offset;
            }

            attributes[type] = msg.AsSpan(offset + 4, len).ToArray();
            offset += 4 + ((len + 3) & ~3);
        }

        if (fpOffset < 0 || miOffset < 0)
        {
            return 0;
        }

        uint crc = Crc32.HashToUInt32(msg.AsSpan(0, fpOffset)) ^ 0x5354554E;
        if (crc != BinaryPrimitives.ReadUInt32BigEndian(attributes[0x8028]))
        {
            return 0;
        }

        byte[] copy = msg.AsSpan(0, miOffset).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(2), (ushort)(miOffset + 24 - 20));
        byte[] mac = HMACSHA1.HashData(s_key, copy);
        if (!mac.SequenceEqual(attributes[0x0008]) || !attributes.ContainsKey(0x0006) || !attributes.ContainsKey(0x802A) || !attributes.ContainsKey(0x0025))
        {
            return 0;
        }

        return BinaryPrimitives.ReadUInt32BigEndian(attributes[0x0024]);
    }

    [BenchmarkCategory("Build"), Benchmark]
    public int BuildRequest() => Build(_out, _tid).Length;

    [BenchmarkCategory("Build"), Benchmark]
    public int BuildRequestPreparedKey() => BuildPrepared(_out, _tid).Length;

    [BenchmarkCategory("Build"), Benchmark(Baseline = true)]
    public int NaiveBuildRequest() => NaiveBuild().Length;

    private static ReadOnlySpan<byte> Build(Span<byte> buffer, StunTransactionId tid)
    {
        var w = new StunMessageWriter(buffer, StunMessageType.BindingRequest, tid);
        w.AddString(StunAttributeType.Username, "RxfTnWYz:c3uLqmh8");
        w.AddAttribute((StunAttributeType)0xC057, [0x00, 0x01, 0x00, 0x0A]);
        w.AddUInt64(StunAttributeType.IceControlling, 0x1122334455667788);
        w.AddFlag(StunAttributeType.UseCandidate);
        w.AddUInt32(StunAttributeType.Priority, 1845501695);
        w.AddMessageIntegrity(s_key);
        w.AddFingerprint();
        return w.Written;
    }

    private static ReadOnlySpan<byte> BuildPrepared(Span<byte> buffer, StunTransactionId tid)
    {
        var w = new StunMessageWriter(buffer, StunMessageType.BindingRequest, tid);
        w.AddString(StunAttributeType.Username, "RxfTnWYz:c3uLqmh8");
        w.AddAttribute((StunAttributeType)0xC057, [0x00, 0x01, 0x00, 0x0A]);
        w.AddUInt64(StunAttributeType.IceControlling, 0x1122334455667788);
        w.AddFlag(StunAttributeType.UseCandidate);
        w.AddUInt32(StunAttributeType.Priority, 1845501695);
        w.AddMessageIntegrity(s_preparedKey);
        w.AddFingerprint();
        return w.Written;
    }

    private byte[] NaiveBuild()
    {
        var ms = new MemoryStream();
        Span<byte> header = stackalloc byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(header, 0x0001);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], StunMessageReader.MagicCookie);
        _tid.WriteTo(header[8..]);
        ms.Write(header);
        WriteAttr(ms, 0x0006, "RxfTnWYz:c3uLqmh8"u8.ToArray());
        WriteAttr(ms, 0xC057, [0x00, 0x01, 0x00, 0x0A]);
        byte[] tb = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(tb, 0x1122334455667788);
        WriteAttr(ms, 0x802A, tb);
        WriteAttr(ms, 0x0025, []);
        byte[] prio = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prio, 1845501695);
        WriteAttr(ms, 0x0024, prio);
        byte[] sofar = ms.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(sofar.AsSpan(2), (ushort)(sofar.Length + 24 - 20));
        WriteAttr(ms, 0x0008, HMACSHA1.HashData(s_key, sofar));
        byte[] withMi = ms.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(withMi.AsSpan(2), (ushort)(withMi.Length + 8 - 20));
        byte[] fp = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(fp, Crc32.HashToUInt32(withMi) ^ 0x5354554E);
        ms.Position = 0;
        ms.Write(withMi);
        WriteAttr(ms, 0x8028, fp);
        return ms.ToArray();
    }

    private static void WriteAttr(MemoryStream ms, ushort type, byte[] value)
    {
        byte[] h = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(h, type);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), (ushort)value.Length);
        ms.Write(h);
        ms.Write(value);
        ms.Write(new byte[(4 - (value.Length % 4)) % 4]);
    }
}
