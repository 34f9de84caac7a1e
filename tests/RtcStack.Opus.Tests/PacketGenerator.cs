namespace RtcStack.Opus.Tests;

/// <summary>Makes packets for differential tests: valid ones of every framing, near-valid ones with one field off, and noise.</summary>
internal static class PacketGenerator
{
    public static byte[] Next(Random random)
    {
        return random.Next(4) switch
        {
            0 => Noise(random),
            1 => Framed(random, corrupt: true),
            _ => Framed(random, corrupt: false),
        };
    }

    public static byte[] Noise(Random random)
    {
        var data = new byte[random.Next(0, 24)];
        random.NextBytes(data);
        return data;
    }

    /// <summary>A packet built from random frame lengths with the framing of a random code; optionally one byte or the length is then disturbed.</summary>
    public static byte[] Framed(Random random, bool corrupt)
    {
        int config = random.Next(32);
        bool stereo = random.Next(2) == 1;
        int code = random.Next(4);
        int spf = OpusToc.Create(config, stereo, 0).SamplesPerFrame;
        int maxFrames = Math.Min(48, 5760 / spf);
        int count = code switch { 0 => 1, 1 or 2 => 2, _ => random.Next(1, maxFrames + 1) };
        bool bigFrames = random.Next(8) == 0;
        var lengths = new int[count];
        int equal = random.Next(bigFrames ? 1300 : 40);
        for (int i = 0; i < count; i++)
        {
            lengths[i] = code == 1 || (code == 3 && random.Next(2) == 0) ? equal : random.Next(bigFrames ? 1300 : 300);
        }

        bool vbr = code == 2 || (code == 3 && lengths.Distinct().Count() > 1);
        int padding = code == 3 && random.Next(3) == 0 ? random.Next(0, 700) : -1;
        var bytes = new List<byte> { (byte)((config << 3) | (stereo ? 4 : 0) | code) };
        if (code == 3)
        {
            bytes.Add((byte)((vbr ? 0x80 : 0) | (padding >= 0 ? 0x40 : 0) | count));
            if (padding >= 0)
            {
                int p = padding;
                while (p >= 255)
                {
                    bytes.Add(255);
                    p -= 254;
                }

                bytes.Add((byte)p);
            }
        }

        if (vbr)
        {
            for (int i = 0; i < count - 1; i++)
            {
                AddLength(bytes, lengths[i]);
            }
        }

        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < lengths[i]; j++)
            {
                bytes.Add((byte)random.Next(256));
            }
        }

        for (int i = 0; i < Math.Max(padding, 0); i++)
        {
            bytes.Add(0);
        }

        byte[] result = bytes.ToArray();
        if (corrupt && result.Length > 0)
        {
            switch (random.Next(3))
            {
                case 0:
                    result[random.Next(Math.Min(result.Length, 6))] = (byte)random.Next(256);
                    break;
                case 1:
                    Array.Resize(ref result, Math.Max(0, result.Length - random.Next(1, 4)));
                    break;
                default:
                    Array.Resize(ref result, result.Length + random.Next(1, 4));
                    break;
            }
        }

        return result;
    }

    private static void AddLength(List<byte> bytes, int length)
    {
        if (length < 252)
        {
            bytes.Add((byte)length);
            return;
        }

        int first = 252 + (length & 3);
        bytes.Add((byte)first);
        bytes.Add((byte)((length - first) >> 2));
    }
}
