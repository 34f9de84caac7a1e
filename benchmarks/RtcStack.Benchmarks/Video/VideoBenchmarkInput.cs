using System.Buffers.Binary;
using RtcStack.Video;

namespace RtcStack.Benchmarks.Video;

/// <summary>One RTP packet of a video benchmark input.</summary>
internal readonly record struct VideoBenchmarkPacket(ushort SequenceNumber, uint Timestamp, bool Marker, byte[] Payload);

/// <summary>
/// The packets the video depacketize benchmarks replay. benchmarks/video-vs-pion.sh has the Pion program write them
/// (deterministic synthetic frames cut by Pion's payloaders) into a folder named by RTCSTACK_VIDEO_INPUT_DIR, so that
/// both sides read the same bytes; without it, the same kind of stream is made here with our own packetizers.
/// File layout (little-endian): "RTCVID1\0", codec byte (0 VP8, 1 H.264, 2 AV1), packet count u32, then per packet: sequence
/// number u16, timestamp u32, marker u8, payload length u16, payload.
/// </summary>
internal static class VideoBenchmarkInput
{
    public const string DirectoryVariable = "RTCSTACK_VIDEO_INPUT_DIR";

    private const int Frames = 300;
    private const int FrameRate = 30;

    public static VideoBenchmarkPacket[] Load(VideoCodec codec, out string source)
    {
        string? dir = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrEmpty(dir))
        {
            string path = Path.Combine(dir, FileName(codec));
            source = path;
            return Read(path, codec);
        }

        source = "generated in-process with RtcStack's packetizers";
        return Generate(codec);
    }

    private static string FileName(VideoCodec codec) => codec switch
    {
        VideoCodec.Vp8 => "vp8.bin",
        VideoCodec.H264 => "h264.bin",
        VideoCodec.Av1 => "av1.bin",
        _ => throw new ArgumentOutOfRangeException(nameof(codec)),
    };

    private static int CodecByte(VideoCodec codec) => codec switch
    {
        VideoCodec.Vp8 => 0,
        VideoCodec.H264 => 1,
        _ => 2,
    };

    private static VideoBenchmarkPacket[] Read(string path, VideoCodec codec)
    {
        byte[] data = File.ReadAllBytes(path);
        if (data.Length < 13 || !data.AsSpan(0, 8).SequenceEqual("RTCVID1\0"u8) || data[8] != CodecByte(codec))
        {
            throw new InvalidDataException($"{path} is not a {codec} benchmark input");
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(9));
        var packets = new VideoBenchmarkPacket[count];
        int offset = 13;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> header = data.AsSpan(offset, 9);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(header[7..]);
            packets[i] = new VideoBenchmarkPacket(
                BinaryPrimitives.ReadUInt16LittleEndian(header),
                BinaryPrimitives.ReadUInt32LittleEndian(header[2..]),
                header[6] == 1,
                data.AsSpan(offset + 9, length).ToArray());
            offset += 9 + length;
        }

        return packets;
    }

    private static VideoBenchmarkPacket[] Generate(VideoCodec codec)
    {
        var random = new Random(20261206);
        IVideoPacketizer packetizer = codec switch
        {
            VideoCodec.Vp8 => new Vp8Packetizer(),
            VideoCodec.H264 => new H264Packetizer(),
            _ => new Av1Packetizer(),
        };
        packetizer.MaxPayloadSize = 1200;
        var packets = new List<VideoBenchmarkPacket>();
        byte[] buffer = new byte[1200];
        ushort seq = 65000;
        for (int i = 0; i < Frames; i++)
        {
            bool key = i % FrameRate == 0;
            int size = key ? random.Next(40000, 60000) : random.Next(3000, 10000);
            byte[] frame = codec switch
            {
                VideoCodec.Vp8 => Vp8Frame(random, size, key),
                VideoCodec.H264 => H264AccessUnit(random, size, key),
                _ => Av1TemporalUnit(random, size, key),
            };
            if (packetizer.Push(frame, key) != VideoPacketizeStatus.Ok)
            {
                throw new InvalidOperationException("the generated frame was refused");
            }

            while (packetizer.TryPoll(buffer, out VideoRtpPayload p))
            {
                packets.Add(new VideoBenchmarkPacket(seq++, (uint)(i * 90000 / FrameRate), p.Marker, buffer[..p.Length]));
            }
        }

        return packets.ToArray();
    }

    private static void NonZero(Random random, Span<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)random.Next(1, 256);
        }
    }

    private static byte[] Vp8Frame(Random random, int size, bool key)
    {
        byte[] frame = new byte[size];
        NonZero(random, frame);
        int tag = (key ? 0 : 1) | (1 << 4) | (Math.Min(size, 0x7FFFF) << 5);
        frame[0] = (byte)tag;
        frame[1] = (byte)(tag >> 8);
        frame[2] = (byte)(tag >> 16);
        if (key)
        {
            ReadOnlySpan<byte> startAndSize = [0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];
            startAndSize.CopyTo(frame.AsSpan(3));
        }

        return frame;
    }

    // A sequence header OBU on key frames, then a frame OBU, each with obu_size (the packetizer's input form).
    private static byte[] Av1TemporalUnit(Random random, int size, bool key)
    {
        var unit = new List<byte>();
        void Obu(int type, int length)
        {
            byte[] body = new byte[length];
            NonZero(random, body);
            unit.Add((byte)((type << 3) | 0x02));
            for (uint v = (uint)length; ; v >>= 7)
            {
                unit.Add((byte)((v & 0x7Fu) | (v > 0x7F ? 0x80u : 0u)));
                if (v <= 0x7F)
                {
                    break;
                }
            }

            unit.AddRange(body);
        }

        if (key)
        {
            Obu(1, 11);
        }

        Obu(6, size - 1);
        return unit.ToArray();
    }

    private static byte[] H264AccessUnit(Random random, int size, bool key)
    {
        var au = new List<byte>();
        void Nal(byte header, int length, bool firstSlice)
        {
            byte[] nal = new byte[length];
            NonZero(random, nal);
            nal[0] = header;
            if (firstSlice)
            {
                nal[1] |= 0x80;
            }

            au.AddRange([0, 0, 0, 1]);
            au.AddRange(nal);
        }

        if (key)
        {
            au.AddRange([0, 0, 0, 1, 0x67, 0x42, 0xE0, 0x1F, 0x8C, 0x8D, 0x40, 0, 0, 0, 1, 0x68, 0xCE, 0x3C, 0x80]);
            Nal(0x65, size, true);
        }
        else
        {
            Nal(0x41, size / 2, true);
            Nal(0x41, size - (size / 2), false);
        }

        return au.ToArray();
    }
}
