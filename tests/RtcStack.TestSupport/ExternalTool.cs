// Also compiled (internal) into rtcstack, whose `bottleneck` command uses it: one implementation, linked.
#if RTCSTACK_CLI
namespace RtcStack.Cli.Bottleneck;
#else
namespace RtcStack.TestSupport;
#endif

/// <summary>
/// Finds outside programs and native libraries that interop tests need (tshark, openssl, coturn,
/// opus-tools, libsrtp, browsers). A missing tool is a test failure, never a skip: ./test.sh
/// installs everything, and under CI=true the message says which package to add to it.
/// </summary>
#if RTCSTACK_CLI
internal
#else
public
#endif
static class ExternalTool
{
    /// <summary>Gets a value indicating whether the tests run in CI (CI=true).</summary>
    public static bool IsCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the full path of <paramref name="program"/> on PATH, or throws with the Debian package to install.</summary>
    public static string Require(string program, string debianPackage)
    {
        string? path = Find(program);
        if (path is null)
        {
            throw new InvalidOperationException(
                $"'{program}' is not installed (Debian package '{debianPackage}'). ./test.sh installs it; " +
                $"run it once, or: apt-get install -y {debianPackage}" + (IsCI ? " [CI=true: outside programs are required]" : ""));
        }

        return path;
    }

    /// <summary>Returns the full path of <paramref name="program"/> on PATH (or an absolute path that exists), else null.</summary>
    public static string? Find(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : null;
        }

        string[] dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (string dir in dirs.Concat(["/usr/sbin", "/sbin", "/usr/bin", "/usr/local/bin"]))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Throws with the Debian package name when none of the shared library names can be loaded.</summary>
    public static string RequireLibrary(string debianPackage, params string[] names)
    {
        foreach (string name in names)
        {
            if (System.Runtime.InteropServices.NativeLibrary.TryLoad(name, out IntPtr handle))
            {
                System.Runtime.InteropServices.NativeLibrary.Free(handle);
                return name;
            }
        }

        throw new InvalidOperationException(
            $"none of [{string.Join(", ", names)}] could be loaded (Debian package '{debianPackage}'); ./test.sh installs it" +
            (IsCI ? " [CI=true: outside programs are required]" : ""));
    }
}
