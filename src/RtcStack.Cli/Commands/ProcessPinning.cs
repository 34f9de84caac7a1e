using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace RtcStack.Cli.Commands;

/// <summary>Pins a whole benchmark process to one CPU, for the "one core" figures of the <c>bench</c> commands.</summary>
internal static partial class ProcessPinning
{
    /// <summary>
    /// Pins every thread of the process (event loop, socket work done in its context, GC, JIT) to <paramref name="cpu"/>.
    /// On Linux, Process.ProcessorAffinity sets only the main thread's mask (sched_setaffinity on the process id): the
    /// runtime's threads already running keep theirs (a first smoke run of the data channel bench showed a "pinned"
    /// sender using 105 % of a core). So every thread in /proc/self/task is pinned; threads started later inherit the
    /// mask of the pinned thread that starts them.
    /// </summary>
    /// <returns>Whether the main thread was pinned (other threads that have exited meanwhile are ignored).</returns>
    public static bool PinAllThreads(int cpu)
    {
        if (cpu is < 0 or >= 64)
        {
            return false;
        }

        if (OperatingSystem.IsLinux())
        {
            ulong mask = 1UL << cpu;
            bool main = false;
            foreach (string task in Directory.GetDirectories("/proc/self/task"))
            {
                if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid)
                    && SchedSetAffinity(tid, sizeof(ulong), ref mask) == 0 && tid == Environment.ProcessId)
                {
                    main = true;
                }
            }

            return main;
        }

        if (OperatingSystem.IsWindows())
        {
            Process.GetCurrentProcess().ProcessorAffinity = (nint)(1L << cpu);
            return true;
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nint size, ref ulong mask);
}
