using RtcStack.WebRtc;
using RtcStack.WebRtc.Jsep;

namespace RtcStack.Cli.Commands;

/// <summary>
/// A simulcast publisher's application for the load benchmarks: three VP8 layers (RIDs q, h, f) at 30 frames/s of
/// 625, 2083 and 7708 bytes (about 150 kbit/s, 500 kbit/s and 1.85 Mbit/s, 2.5 Mbit/s in all), the layers and sizes of
/// tests/RtcStack.WebRtc.Tests/Forwarding/SimulcastPublisherForwardingTests. A layer sends a key frame first and
/// again when a PLI for its RID arrived (<see cref="OnKeyframeRequested"/>). The frames are made once: sending
/// allocates nothing here.
/// </summary>
internal sealed class BenchSimulcastSource
{
    /// <summary>The RIDs, lowest layer first.</summary>
    public static readonly string[] Rids = ["q", "h", "f"];

    /// <summary>Bytes of one frame of each layer.</summary>
    public static readonly int[] LayerFrameBytes = [625, 2083, 7708];

    /// <summary>Frames per second of every layer.</summary>
    public const int FramesPerSecond = 30;

    // RFC 6386 §9.1: a key frame's 3-byte frame tag (show_frame set, key frame bit clear), start code, 640x480.
    private static readonly byte[] s_keyFrameHeader = [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];
    private readonly ReadOnlyMemory<byte>[] _key = new ReadOnlyMemory<byte>[Rids.Length];
    private readonly ReadOnlyMemory<byte>[] _delta = new ReadOnlyMemory<byte>[Rids.Length];
    private readonly bool[] _keyDue = [true, true, true];
    private uint _timestamp;

    public BenchSimulcastSource()
    {
        for (int layer = 0; layer < Rids.Length; layer++)
        {
            _key[layer] = Frame(layer, key: true);
            _delta[layer] = Frame(layer, key: false);
        }
    }

    /// <summary>Gets the key frames sent for each layer (the first included).</summary>
    public long[] KeyFramesSent { get; } = new long[3];

    /// <summary>The send encodings of the publisher's transceiver (RFC 8853 §5.1: one RID each, lowest first).</summary>
    public static SendEncoding[] Encodings() =>
        [new SendEncoding("q") { MaxBitrateBps = 150_000 }, new SendEncoding("h") { MaxBitrateBps = 500_000 }, new SendEncoding("f") { MaxBitrateBps = 1_900_000 }];

    /// <summary>A PLI for <paramref name="rid"/> reached the application: that layer's next frame is a key frame.</summary>
    public void OnKeyframeRequested(string? rid)
    {
        int layer = rid is null ? -1 : Array.IndexOf(Rids, rid);
        if (layer >= 0)
        {
            _keyDue[layer] = true;
        }
    }

    /// <summary>Sends one frame of every layer (under the session's lock); false when the session refused one.</summary>
    public bool SendFrames(WebRtcSession session, Transceiver video, TimeSpan now)
    {
        bool all = true;
        for (int layer = 0; layer < Rids.Length; layer++)
        {
            bool key = _keyDue[layer];
            _keyDue[layer] = false;
            all &= session.SendVideoFrame(video, Rids[layer], key ? _key[layer] : _delta[layer], _timestamp, key, now);
            KeyFramesSent[layer] += key ? 1 : 0;
        }

        _timestamp += 90000 / FramesPerSecond;
        return all;
    }

    private static byte[] Frame(int layer, bool key)
    {
        var f = new byte[LayerFrameBytes[layer]];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = (byte)((i * 31) + layer);
        }

        if (key)
        {
            s_keyFrameHeader.CopyTo(f, 0);
        }
        else
        {
            f[0] = 0x01; // RFC 6386 §9.1: the frame tag's low bit set is an inter frame
        }

        return f;
    }
}
