using System.CommandLine;

namespace RtcStack.Cli;

/// <summary>The <c>rtcstack</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Builds the command tree. Each module's commands live in their own file under Commands/.</summary>
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("rtcstack: tools built on the RtcStack real-time media libraries (pcap analysis, simulation, serving).");
        var pcap = new Command("pcap", "Inspect and transform packet captures (classic pcap and pcapng).");
        root.Subcommands.Add(pcap);
        pcap.Subcommands.Add(Commands.PcapStreamsCommand.Create());
        pcap.Subcommands.Add(Commands.PcapGenerateCommand.Create());
        root.Subcommands.Add(Commands.SimCommand.Create());
        root.Subcommands.Add(Commands.BottleneckCommand.Create());
        pcap.Subcommands.Add(Commands.PcapDecryptCommand.Create());
        root.Subcommands.Add(Commands.ServeCommand.Create());
        root.Subcommands.Add(Commands.WhipClientCommands.CreateWhip());
        root.Subcommands.Add(Commands.WhipClientCommands.CreateWhep());
        root.Subcommands.Add(new Command("sdp", "Check session descriptions (RFC 8866).") { Commands.SdpLintCommand.Create() });
        root.Subcommands.Add(new Command("bench", "Load tests and measurements that are not BenchmarkDotNet micro-benchmarks.") { Commands.BenchSessionsCommand.Create(), Commands.BenchSoakCommand.Create(), Commands.BenchChurnCommand.Create(), Commands.BenchHandshakesCommand.Create(), Commands.BenchDataChannelCommand.Create(), Commands.BenchForwardCommand.Create(), Commands.BenchSctpMessagesCommand.Create() });
        return root;
    }

    /// <summary>Exit code for a command line that does not parse (an unknown option, a value of the wrong type).</summary>
    public const int ExitUsage = 2;

    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => Run(args);

    /// <summary>
    /// Parses and runs <paramref name="args"/>. A command line that does not parse prints the errors and the help and
    /// exits with <see cref="ExitUsage"/>, as every command's help says (System.CommandLine itself returns 1).
    /// </summary>
    public static int Run(string[] args, InvocationConfiguration? configuration = null)
    {
        ParseResult parse = BuildRootCommand().Parse(args);
        int code = configuration is null ? parse.Invoke() : parse.Invoke(configuration);
        return parse.Errors.Count > 0 ? ExitUsage : code;
    }
}
