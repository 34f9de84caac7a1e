namespace RtcStack.Video.Tests.Av1;

/// <summary>Builds AV1 OBUs (AV1 §5.3) for the tests: header, optional extension, optional obu_size, payload.</summary>
internal static class Av1Obus
{
    public const int SequenceHeader = Av1ObuType.SequenceHeader;
    public const int TemporalDelimiter = Av1ObuType.TemporalDelimiter;
    public const int FrameHeader = Av1ObuType.FrameHeader;
    public const int TileGroup = Av1ObuType.TileGroup;
    public const int Metadata = Av1ObuType.Metadata;
    public const int Frame = Av1ObuType.Frame;
    public const int RedundantFrameHeader = Av1ObuType.RedundantFrameHeader;
    public const int TileList = Av1ObuType.TileList;
    public const int Padding = Av1ObuType.Padding;

    /// <summary>An OBU in low-overhead form (with obu_size) or, with <paramref name="withSize"/> false, without it.</summary>
    public static byte[] Obu(int type, byte[] payload, int temporalId = -1, int spatialId = 0, bool withSize = true)
    {
        var bytes = new List<byte> { (byte)((type << 3) | (temporalId >= 0 ? 0x04 : 0) | (withSize ? 0x02 : 0)) };
        if (temporalId >= 0)
        {
            bytes.Add((byte)((temporalId << 5) | (spatialId << 3)));
        }

        if (withSize)
        {
            bytes.AddRange(Leb128(payload.Length));
        }

        bytes.AddRange(payload);
        return [.. bytes];
    }

    /// <summary>The OBU element form of an OBU (AV1 RTP §4.5): header with obu_has_size_field 0, no obu_size.</summary>
    public static byte[] Element(int type, byte[] payload, int temporalId = -1, int spatialId = 0) =>
        Obu(type, payload, temporalId, spatialId, withSize: false);

    public static byte[] Leb128(int value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return [.. bytes];
    }

    public static byte[] Fill(int length, byte seed)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed + i);
        }

        return bytes;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>The temporal delimiter the depacketizer starts each temporal unit with.</summary>
    public static readonly byte[] Delimiter = [0x12, 0x00];
}
