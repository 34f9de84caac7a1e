using System.Buffers.Binary;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Video.Tests.Interop;

/// <summary>
/// Differential test against Pion's payloaders (Debian golang-github-pion-rtp-dev): benchmarks/pion-video, built
/// offline in GOPATH mode as the interop suite builds its Pion peer, cuts 300 synthetic VP8 frames and H.264 access
/// units (SPS + PPS + IDR every 30 frames, two slices otherwise) into RTP payloads; our assembler must give back every
/// frame byte for byte. The same files are the input of benchmarks/video-vs-pion.sh.
/// </summary>
[Trait("Category", "Interop")]
public sealed class PionPayloaderTests : IDisposable
{
    private const string DebianGoCode = "/usr/share/gocode";
    private readonly string _dir = Directory.CreateTempSubdirectory("rtcstack-pion-video-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void OurAssemblerRebuildsPionPacketizedFrames()
    {
        string go = ExternalTool.Require("go", "golang-go");
        if (!File.Exists(Path.Combine(DebianGoCode, "src", "github.com", "pion", "rtp", "codecs", "vp8_packet.go")))
        {
            throw new InvalidOperationException(
                "Pion RTP sources are not installed (Debian package 'golang-github-pion-rtp-dev', pulled in by golang-github-pion-webrtc.v3-dev); ./test.sh installs it" +
                (ExternalTool.IsCI ? " [CI=true: outside programs are required]" : ""));
        }

        string package = Path.Combine(_dir, "gopath", "src", "pionvideobench");
        Directory.CreateDirectory(package);
        foreach (string name in new[] { "main.go", "go.mod" })
        {
            File.Copy(Path.Combine(RepoPaths.Root, "benchmarks", "pion-video", name), Path.Combine(package, name));
        }

        string binary = Path.Combine(_dir, "pionvideobench");
        ProcessRunner.Result build = ProcessRunner.Run("env",
        [
            "GOPATH=" + Path.Combine(_dir, "gopath") + ":" + DebianGoCode, "GO111MODULE=off", "GOPROXY=off", "GOFLAGS=", "GOENV=off", "CGO_ENABLED=0",
            "GOCACHE=" + Path.Combine(Path.GetTempPath(), "rtcstack-interop-gocache"),
            go, "build", "-o", binary, ".",
        ], TimeSpan.FromMinutes(5), workingDirectory: package);
        Assert.True(build.ExitCode == 0, $"go build failed ({build.ExitCode}):\n{build.StdOut}\n{build.StdErr}");
        ProcessRunner.Result gen = ProcessRunner.Run(binary, ["gen", _dir], TimeSpan.FromMinutes(2));
        Assert.True(gen.ExitCode == 0, $"gen failed ({gen.ExitCode}):\n{gen.StdErr}");

        Check(new Vp8Depacketizer(), "vp8");
        Check(new H264Depacketizer(), "h264");

        // Pion's AV1Payloader never sets N (a new coded video sequence), so no AV1 frame is marked key here.
        Check(new Av1Depacketizer(), "av1", keyFramesMarked: false);
    }

    private void Check(IVideoDepacketizer depacketizer, string name, bool keyFramesMarked = true)
    {
        List<(ushort Seq, uint Ts, bool Marker, byte[] Payload)> packets = ReadPackets(Path.Combine(_dir, name + ".bin"));
        List<byte[]> frames = ReadFrames(Path.Combine(_dir, name + "-frames.bin"));
        Assert.Equal(300, frames.Count);
        var assembler = new VideoFrameAssembler(depacketizer, 1024, 1500, 1 << 20);
        var output = new List<byte[]>();
        foreach ((ushort seq, uint ts, bool marker, byte[] payload) in packets)
        {
            Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(seq, ts, marker, payload));
            while (assembler.TryPollEvent(out VideoAssemblerEvent e))
            {
                Assert.Equal(VideoAssemblerEventKind.FrameCompleted, e.Kind);
                Assert.Equal(keyFramesMarked && output.Count % 30 == 0, e.KeyFrame);
                output.Add(assembler.GetFrame(e).ToArray());
            }
        }

        Assert.Equal(frames.Count, output.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.True(frames[i].AsSpan().SequenceEqual(output[i]), $"{name} frame {i} differs ({frames[i].Length} vs {output[i].Length} bytes)");
        }
    }

    private static List<(ushort, uint, bool, byte[])> ReadPackets(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        Assert.True(data.AsSpan(0, 8).SequenceEqual("RTCVID1\0"u8));
        int count = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(9));
        var packets = new List<(ushort, uint, bool, byte[])>(count);
        int offset = 13;
        for (int i = 0; i < count; i++)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset + 7));
            packets.Add((
                BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset)),
                BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset + 2)),
                data[offset + 6] == 1,
                data.AsSpan(offset + 9, length).ToArray()));
            offset += 9 + length;
        }

        Assert.Equal(data.Length, offset);
        return packets;
    }

    private static List<byte[]> ReadFrames(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        int count = BinaryPrimitives.ReadInt32LittleEndian(data);
        var frames = new List<byte[]>(count);
        int offset = 4;
        for (int i = 0; i < count; i++)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(offset));
            frames.Add(data.AsSpan(offset + 4, length).ToArray());
            offset += 4 + length;
        }

        return frames;
    }
}
