using System.Buffers.Binary;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RtcStack.Sctp;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack bench sctp-messages</c>: the small-message rate of an SCTP association alone (issue 15), the RtcStack
/// side of benchmarks/datachannel-vs-pion.sh. Two <see cref="SctpAssociation"/>s in this process, on this one thread,
/// wired back to back in memory (each packet copied once into a wire buffer and handed to the peer), no DTLS, no
/// sockets. The sender sends N messages of one size on one stream, ordered and reliable, with each message's sequence
/// number in its first 8 bytes; it keeps the stream's buffered amount under a bound and refills when it falls to half
/// (as the Pion side does with its buffered-amount-low callback). The receiver reads every message
/// (<see cref="SctpAssociation.TryReadMessage"/>), checks its length and sequence number, and counts it. Time is the
/// real monotonic clock (timers run when due), from the first send to the last message read. A plain timed loop,
/// not BenchmarkDotNet, so that both sides are measured the same way: one run of N messages, wall and process CPU
/// time, after an unreported warm-up run on another pair (which also lets the JIT reach its optimized code).
/// </summary>
internal static class BenchSctpMessagesCommand
{
    /// <summary>
    /// Pion's SCTP packet size (its initialMTU, 1228 bytes, in association.go of pion/sctp 1.8.6), used for ours too
    /// so that both sides bundle the same number of messages per packet.
    /// </summary>
    internal const int PacketSize = 1228;

    public static Command Create()
    {
        var messages = new Option<int>("--messages") { Description = "Messages to send.", DefaultValueFactory = _ => 1_000_000 };
        var size = new Option<int>("--size") { Description = "Bytes per message (at least 8: the sequence number).", DefaultValueFactory = _ => 64 };
        var buffered = new Option<int>("--buffered") { Description = "Bound on the stream's buffered amount (bytes); refilled when it falls to half.", DefaultValueFactory = _ => 1024 * 1024 };
        var warmup = new Option<int>("--warmup") { Description = "Messages of the unreported first run (0: none).", DefaultValueFactory = _ => 100_000 };
        var command = new Command("sctp-messages",
            "Small-message rate of two SCTP associations back to back in memory on one thread (no DTLS, no sockets), ordered reliable, " +
            "the receiver reading and checking every message: messages per second and CPU share. Exit 0 when every message arrived in order.")
        {
            messages, size, buffered, warmup,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            int n = parse.GetValue(messages), s = parse.GetValue(size), b = parse.GetValue(buffered), w = parse.GetValue(warmup);
            if (n < 1 || s is < 8 or > 65536 || b < s || w < 0)
            {
                error.WriteLine("error: --messages at least 1, --size 8-65536, --buffered at least --size, --warmup not negative");
                return 2;
            }

            if (w > 0 && Run(w, s, b) is { Error: string warmError })
            {
                error.WriteLine($"error (warm-up): {warmError}");
                return 1;
            }

            Result r = Run(n, s, b);
            if (r.Error is not null)
            {
                error.WriteLine($"error: {r.Error}");
                return 1;
            }

            double seconds = r.Elapsed.TotalSeconds;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rtcstack sctp: {n} messages of {s} bytes in {seconds:0.000} s: {n / seconds:0} messages/s, cpu {r.Cpu.TotalSeconds:0.000} s ({100 * r.Cpu.TotalSeconds / seconds:0.0} % of one core), {r.Packets} packets: {r.DataPackets} sender to receiver, {r.Packets - r.DataPackets} back ({r.Sacks} SACKs), {r.Retransmissions} retransmissions"));
            return 0;
        });
        return command;
    }

    /// <summary>A run's outcome; <see cref="Packets"/> counts both directions, <see cref="DataPackets"/> the sender's (DATA and whatever it bundles).</summary>
    internal readonly record struct Result(TimeSpan Elapsed, TimeSpan Cpu, long Received, long Packets, string? Error, long DataPackets = 0, long Sacks = 0, long Retransmissions = 0);

    /// <summary>One run on a fresh pair; <see cref="Result.Error"/> says what went wrong (a message missing, out of order or damaged, or a stall).</summary>
    internal static Result Run(int messages, int size, int buffered)
    {
        var clock = Stopwatch.StartNew();
        var options = new Func<int, SctpAssociationOptions>(seed => new SctpAssociationOptions
        {
            MaxPacketSize = PacketSize,
            EnableMessageInterleaving = false, // DATA chunks, as Pion 1.8.6 (no I-DATA, RFC 8260)
            Random = new Random(seed),
        });
        var a = new SctpAssociation(options(1));
        var b = new SctpAssociation(options(2));
        byte[] wire = new byte[64 * 1024];
        byte[] read = new byte[Math.Max(size, 65536)];
        byte[] message = new byte[size];
        for (int i = 8; i < size; i++)
        {
            message[i] = (byte)(i * 7);
        }

        const ushort stream = 1;
        const uint ppid = 53; // WebRTC binary (RFC 8831 §8), as the Pion side sends
        a.Connect(clock.Elapsed);
        b.Connect(clock.Elapsed);
        while (a.State != SctpAssociationState.Established || b.State != SctpAssociationState.Established)
        {
            TimeSpan now = clock.Elapsed;
            if (now > TimeSpan.FromSeconds(10))
            {
                return new Result(default, default, 0, 0, "the associations did not connect within 10 s");
            }

            Carry(a, b, wire, now);
            Carry(b, a, wire, now);
            RunTimers(a, now);
            RunTimers(b, now);
            DrainEvents(a);
            DrainEvents(b);
        }

        long sent = 0, received = 0, packets = 0;
        long sentBefore = a.Statistics.PacketsSent, sacksBefore = b.Statistics.SacksSent;
        long low = buffered / 2;
        bool refill = true;
        TimeSpan startCpu = Process.GetCurrentProcess().TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        long limit = start + (Stopwatch.Frequency * 120);
        while (received < messages)
        {
            TimeSpan now = clock.Elapsed;
            long queued = a.GetBufferedAmount(stream);
            refill |= queued <= low;
            if (refill)
            {
                while (sent < messages && queued < buffered)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(message, sent);
                    a.Send(stream, ppid, message, now);
                    sent++;
                    queued += size;
                }

                refill = false;
            }

            packets += Carry(a, b, wire, now);
            while (b.TryReadMessage(read, out SctpMessageInfo info))
            {
                if (info.Length != size || BinaryPrimitives.ReadInt64LittleEndian(read) != received)
                {
                    return new Result(default, default, received, packets, $"message {received} arrived out of order or damaged ({info.Length} bytes)");
                }

                received++;
            }

            DrainEvents(b);
            packets += Carry(b, a, wire, now);
            DrainEvents(a);
            RunTimers(a, now);
            RunTimers(b, now);
            if (Stopwatch.GetTimestamp() > limit)
            {
                return new Result(default, default, received, packets, $"only {received} of {messages} messages arrived within 120 s");
            }
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - startCpu;
        return new Result(elapsed, cpu, received, packets, null, a.Statistics.PacketsSent - sentBefore, b.Statistics.SacksSent - sacksBefore, a.Statistics.Retransmissions);
    }

    // Every packet `from` has, copied once into the wire buffer (the association lends its own buffer only until the
    // next poll), then handed to `to`.
    private static int Carry(SctpAssociation from, SctpAssociation to, byte[] wire, TimeSpan now)
    {
        int count = 0;
        while (from.TryPollTransmit(out ReadOnlyMemory<byte> packet))
        {
            packet.Span.CopyTo(wire);
            to.HandleDatagram(wire.AsSpan(0, packet.Length), now);
            count++;
        }

        return count;
    }

    private static void RunTimers(SctpAssociation s, TimeSpan now)
    {
        if (s.PollTimeout() is TimeSpan due && due <= now)
        {
            s.HandleTimeout(now);
        }
    }

    // Events other than messages (the association coming up); a message left here would be one the reader skipped.
    private static void DrainEvents(SctpAssociation s)
    {
        while (!s.TryPeekMessage(out _) && s.TryPollEvent(out _))
        {
        }
    }
}
