using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using RtcStack.TestSupport;

namespace RtcStack.Cli.Tests;

/// <summary>
/// A one-node Slurm cluster that a test starts for itself (Debian's slurm-wlm 22.05 and munge): its own munge key and
/// socket, a slurm.conf in a temp folder (controller and node daemon on 127.0.0.1, ports chosen per run, no cgroups, no
/// accounting), and the three daemons in the foreground as children of the test, stopped by PID on dispose. Commands
/// (<c>sbatch</c>, <c>squeue</c>, <c>scontrol</c>) reach it through SLURM_CONF; nothing uses the machine's own Slurm or
/// munge configuration.
/// </summary>
internal sealed partial class SingleNodeSlurm : IDisposable
{
    private readonly List<Process> _daemons = [];
    private readonly string _dir;
    private readonly string _conf;

    private SingleNodeSlurm(string dir)
    {
        _dir = dir;
        _conf = Path.Combine(dir, "slurm.conf");
    }

    /// <summary>Gets the short host name the node is registered under.</summary>
    public string NodeName { get; private set; } = "";

    /// <summary>Starts munged, slurmctld and slurmd in <paramref name="dir"/> and waits until the node is idle.</summary>
    public static SingleNodeSlurm Start(string dir)
    {
        string munged = Tool("munged", "munge");
        string mungekey = Tool("mungekey", "munge");
        string slurmctld = Tool("slurmctld", "slurm-wlm");
        string slurmd = Tool("slurmd", "slurm-wlm");
        var s = new SingleNodeSlurm(dir);
        try
        {
            foreach (string sub in (string[])["munge", "state", "spool", "log"])
            {
                Directory.CreateDirectory(Path.Combine(dir, sub));
            }

            string key = Path.Combine(dir, "munge", "munge.key");
            string socket = Path.Combine(dir, "munge", "munge.sock");
            Check(ProcessRunner.Run(mungekey, ["--create", "--keyfile", key]), "mungekey");
            s.StartDaemon(munged, ["--foreground", "--force", $"--key-file={key}", $"--socket={socket}", $"--pid-file={Path.Combine(dir, "munge", "munged.pid")}",
                $"--seed-file={Path.Combine(dir, "munge", "seed")}", $"--log-file={Path.Combine(dir, "log", "munged.log")}"]);
            WaitFor(() => File.Exists(socket), TimeSpan.FromSeconds(10), "munged's socket");

            s.NodeName = ProcessRunner.Run("/bin/hostname", ["-s"]).StdOut.Trim();
            int controllerPort = FreeTcpPort();
            int nodePort = FreeTcpPort();
            File.WriteAllText(s._conf, $"""
                ClusterName=rtcstack-test
                SlurmctldHost={s.NodeName}(127.0.0.1)
                SlurmctldPort={controllerPort}
                SlurmdPort={nodePort}
                SlurmUser=root
                SlurmdUser=root
                AuthType=auth/munge
                AuthInfo=socket={socket}
                CredType=cred/munge
                StateSaveLocation={Path.Combine(dir, "state")}
                SlurmdSpoolDir={Path.Combine(dir, "spool")}
                SlurmctldPidFile={Path.Combine(dir, "slurmctld.pid")}
                SlurmdPidFile={Path.Combine(dir, "slurmd.pid")}
                SlurmctldLogFile={Path.Combine(dir, "log", "slurmctld.log")}
                SlurmdLogFile={Path.Combine(dir, "log", "slurmd.log")}
                ProctrackType=proctrack/linuxproc
                TaskPlugin=task/none
                SwitchType=switch/none
                MpiDefault=none
                SchedulerType=sched/backfill
                SelectType=select/cons_tres
                SelectTypeParameters=CR_Core
                JobCompType=jobcomp/none
                AccountingStorageType=accounting_storage/none
                JobAcctGatherType=jobacct_gather/none
                ReturnToService=2
                InactiveLimit=0
                MinJobAge=600
                NodeName={s.NodeName} NodeAddr=127.0.0.1 CPUs={Environment.ProcessorCount} State=UNKNOWN
                PartitionName=rtcstack Nodes={s.NodeName} Default=YES MaxTime=INFINITE State=UP

                """);
            s.StartDaemon(slurmctld, ["-D", "-i", "-f", s._conf]);
            s.StartDaemon(slurmd, ["-D", "-f", s._conf]);
            WaitFor(() => s.Command("sinfo", "-h", "-o", "%t").StdOut.Trim() == "idle", TimeSpan.FromSeconds(60), "the node to be idle");
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    /// <summary>Submits a batch script (<c>sbatch --parsable</c>) and returns the job id.</summary>
    public string Submit(string script, string workingDirectory)
    {
        ProcessRunner.Result r = Command("sbatch", "--parsable", "--chdir", workingDirectory, script);
        Check(r, "sbatch " + script);
        return r.StdOut.Trim().Split(';')[0];
    }

    /// <summary>Waits until no task of job <paramref name="id"/> is pending or running (<c>squeue</c> lists none).</summary>
    public void WaitForJob(string id, TimeSpan limit) =>
        WaitFor(() => Command("squeue", "-h", "-j", id).StdOut.Trim().Length == 0, limit, $"job {id} to finish ({Command("squeue", "-j", id).StdOut.Trim()})");

    /// <summary>The state and exit code of each array task of job <paramref name="id"/>, by task id (<c>scontrol -o show job</c>).</summary>
    public SortedDictionary<int, (string State, string ExitCode)> ArrayTasks(string id)
    {
        var tasks = new SortedDictionary<int, (string State, string ExitCode)>();
        foreach (string line in Command("scontrol", "-o", "show", "job", id).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Match task = ArrayTaskRegex().Match(line);
            Match state = JobStateRegex().Match(line);
            Match exit = ExitCodeRegex().Match(line);
            if (task.Success && state.Success && exit.Success)
            {
                tasks[int.Parse(task.Groups[1].Value, CultureInfo.InvariantCulture)] = (state.Groups[1].Value, exit.Groups[1].Value);
            }
        }

        return tasks;
    }

    /// <summary>The daemons' logs, for a failure message.</summary>
    public string Logs() => string.Join("\n", Directory.GetFiles(Path.Combine(_dir, "log")).Select(f => $"== {Path.GetFileName(f)}\n{Tail(File.ReadAllText(f))}"));

    public void Dispose()
    {
        // slurmd first (it owns the job steps), then the controller, then munge.
        for (int i = _daemons.Count - 1; i >= 0; i--)
        {
            ProcessRunner.StopAndDispose(_daemons[i]);
        }
    }

    /// <summary>Runs a Slurm client command against this cluster.</summary>
    public ProcessRunner.Result Command(string program, params string[] args) =>
        ProcessRunner.Run("/usr/bin/env", [$"SLURM_CONF={_conf}", Tool(program, "slurm-client"), .. args], TimeSpan.FromSeconds(30));

    private void StartDaemon(string program, string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["SLURM_CONF"] = _conf;
        Process p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + program);
        string name = Path.GetFileName(program);
        string log = Path.Combine(_dir, "log", name + ".out");
        p.OutputDataReceived += (_, e) => Append(log, e.Data);
        p.ErrorDataReceived += (_, e) => Append(log, e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _daemons.Add(p);
    }

    private static void Append(string path, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (typeof(SingleNodeSlurm))
        {
            File.AppendAllText(path, line + "\n");
        }
    }

    // Slurm's daemons live in /usr/sbin, which a non-login PATH may lack.
    private static string Tool(string program, string package) =>
        ExternalTool.Find(program) ?? ExternalTool.Find("/usr/sbin/" + program) ?? ExternalTool.Require(program, package);

    private static void WaitFor(Func<bool> done, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"waited {limit.TotalSeconds} s for {what}");
            }

            Thread.Sleep(200);
        }
    }

    private static int FreeTcpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static void Check(ProcessRunner.Result r, string what)
    {
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed ({r.ExitCode}): {r.StdErr}{r.StdOut}");
        }
    }

    private static string Tail(string text) => text.Length > 3000 ? text[^3000..] : text;

    [GeneratedRegex(@"\bArrayTaskId=(\d+)\b")]
    private static partial Regex ArrayTaskRegex();

    [GeneratedRegex(@"\bJobState=(\S+)")]
    private static partial Regex JobStateRegex();

    [GeneratedRegex(@"\bExitCode=(\S+)")]
    private static partial Regex ExitCodeRegex();
}
