using System.Buffers.Binary;
using System.Text;
using RtcStack.Rtp.Capture;

namespace RtcStack.Rtp.Tests.Capture;

/// <summary>Builds pcapng files block by block, in either byte order, for reader tests.</summary>
internal sealed class PcapNgBuilder
{
    private readonly MemoryStream _out = new();
    private bool _bigEndian;

    public byte[] ToArray() => _out.ToArray();

    public PcapNgBuilder Section(bool bigEndian)
    {
        _bigEndian = bigEndian;
        var body = new List<byte>();
        body.AddRange(U32(0x1A2B3C4D));
        body.AddRange(U16(1));
        body.AddRange(U16(0));
        body.AddRange(U64(ulong.MaxValue));
        return Block(0x0A0D0D0A, body.ToArray());
    }

    public PcapNgBuilder Interface(LinkType linkType, int snapLength = 0, byte? tsresol = null, long? tsoffset = null, string? name = null)
    {
        var body = new List<byte>();
        body.AddRange(U16((ushort)linkType));
        body.AddRange(U16(0));
        body.AddRange(U32((uint)snapLength));
        bool options = false;
        if (name is not null)
        {
            Option(body, 2, Encoding.UTF8.GetBytes(name));
            options = true;
        }

        if (tsresol is byte r)
        {
            Option(body, 9, [r]);
            options = true;
        }

        if (tsoffset is long o)
        {
            Option(body, 14, U64((ulong)o));
            options = true;
        }

        if (options)
        {
            Option(body, 0, []);
        }

        return Block(1, body.ToArray());
    }

    public PcapNgBuilder Enhanced(int interfaceId, ulong timestamp, byte[] data, int? originalLength = null, bool withComment = false)
    {
        var body = new List<byte>();
        body.AddRange(U32((uint)interfaceId));
        body.AddRange(U32((uint)(timestamp >> 32)));
        body.AddRange(U32((uint)timestamp));
        body.AddRange(U32((uint)data.Length));
        body.AddRange(U32((uint)(originalLength ?? data.Length)));
        body.AddRange(data);
        Pad(body);
        if (withComment)
        {
            Option(body, 1, Encoding.UTF8.GetBytes("a comment"));
            Option(body, 0, []);
        }

        return Block(6, body.ToArray());
    }

    public PcapNgBuilder Simple(byte[] data, int? originalLength = null)
    {
        var body = new List<byte>();
        body.AddRange(U32((uint)(originalLength ?? data.Length)));
        body.AddRange(data);
        Pad(body);
        return Block(3, body.ToArray());
    }

    public PcapNgBuilder Obsolete(int interfaceId, ulong timestamp, byte[] data)
    {
        var body = new List<byte>();
        body.AddRange(U16((ushort)interfaceId));
        body.AddRange(U16(0));
        body.AddRange(U32((uint)(timestamp >> 32)));
        body.AddRange(U32((uint)timestamp));
        body.AddRange(U32((uint)data.Length));
        body.AddRange(U32((uint)data.Length));
        body.AddRange(data);
        Pad(body);
        return Block(2, body.ToArray());
    }

    /// <summary>Any block, e.g. a Name Resolution (4) or Interface Statistics (5) block the reader skips.</summary>
    public PcapNgBuilder Block(uint type, byte[] body, uint? trailingLength = null)
    {
        uint total = (uint)(12 + body.Length);
        _out.Write(U32(type));
        _out.Write(U32(total));
        _out.Write(body);
        _out.Write(U32(trailingLength ?? total));
        return this;
    }

    public PcapNgBuilder Raw(byte[] bytes)
    {
        _out.Write(bytes);
        return this;
    }

    private static void Pad(List<byte> body)
    {
        while (body.Count % 4 != 0)
        {
            body.Add(0);
        }
    }

    private void Option(List<byte> body, ushort code, byte[] value)
    {
        body.AddRange(U16(code));
        body.AddRange(U16((ushort)value.Length));
        body.AddRange(value);
        Pad(body);
    }

    private byte[] U16(ushort v)
    {
        byte[] b = new byte[2];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        }

        return b;
    }

    private byte[] U32(uint v)
    {
        byte[] b = new byte[4];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        }

        return b;
    }

    private byte[] U64(ulong v)
    {
        byte[] b = new byte[8];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt64BigEndian(b, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        }

        return b;
    }
}
