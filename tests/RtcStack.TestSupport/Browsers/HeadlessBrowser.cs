using System.Diagnostics;

// Also compiled (internal) into rtcstack, whose `bottleneck` command uses it: one implementation, linked.
#if RTCSTACK_CLI
namespace RtcStack.Cli.Bottleneck;
#else
namespace RtcStack.TestSupport.Browsers;
#endif

/// <summary>
/// A headless Chromium or Firefox process opened on one URL, with a fresh profile directory.
/// The page does the WebRTC work and reports back over HTTP; this object only starts the
/// process and, on dispose, kills it by its PID and deletes the profile.
/// </summary>
/// <remarks>
/// Flags and prefs follow what was seen working on Debian 12 with Chromium 156 and Firefox ESR
/// 153: fake media devices, permission prompts granted, loopback ICE candidates allowed, and every
/// kind of background networking off (the machine has no outside network, and nothing may leave
/// loopback).
/// </remarks>
#if RTCSTACK_CLI
internal
#else
public
#endif
sealed class HeadlessBrowser : IDisposable
{
    private readonly Process _process;
    private readonly string _profileDir;
    private readonly System.Text.StringBuilder _log = new();

    private HeadlessBrowser(BrowserKind kind, Process process, string profileDir)
    {
        Kind = kind;
        _process = process;
        _profileDir = profileDir;
    }

    /// <summary>Gets which browser this is.</summary>
    public BrowserKind Kind { get; }

    /// <summary>Gets the browser's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Gets a value indicating whether the browser process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Gets what the browser printed so far (stdout and stderr), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Returns the browser executable, or throws naming the Debian package.</summary>
    public static string RequireExecutable(BrowserKind kind) => kind switch
    {
        BrowserKind.Chromium => FindChromium() ?? ExternalTool.Require("chromium", "chromium"),
        BrowserKind.Firefox => ExternalTool.Require("firefox-esr", "firefox-esr"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Returns Chromium's binary (the /usr/bin/chromium wrapper script prints shell noise: the binary directly when it is there), or null.</summary>
    public static string? FindChromium() =>
        File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : ExternalTool.Find("chromium");

    /// <summary>Starts <paramref name="kind"/> headless on <paramref name="url"/>.</summary>
    public static HeadlessBrowser Launch(BrowserKind kind, string url) => Launch(kind, url, []);

    /// <summary>Starts <paramref name="kind"/> headless on <paramref name="url"/>, with <paramref name="extraArguments"/> after the suite's own.</summary>
    public static HeadlessBrowser Launch(BrowserKind kind, string url, IReadOnlyList<string> extraArguments) => Launch(kind, url, extraArguments, null);

    /// <summary>
    /// Starts <paramref name="kind"/> headless on <paramref name="url"/>, with <paramref name="extraArguments"/> after the
    /// suite's own, inside the network namespace <paramref name="networkNamespace"/> (<c>ip netns exec</c>, which execs
    /// the browser: the PID is the browser's) when it is not null.
    /// </summary>
    public static HeadlessBrowser Launch(BrowserKind kind, string url, IReadOnlyList<string> extraArguments, string? networkNamespace) =>
        Launch(kind, url, extraArguments, networkNamespace, null);

    /// <summary>
    /// As <see cref="Launch(BrowserKind, string, IReadOnlyList{string}, string?)"/>, with the browser binary at
    /// <paramref name="executable"/> (null: <see cref="RequireExecutable"/>).
    /// </summary>
    public static HeadlessBrowser Launch(BrowserKind kind, string url, IReadOnlyList<string> extraArguments, string? networkNamespace, string? executable)
    {
        ArgumentNullException.ThrowIfNull(extraArguments);
        string exe = executable ?? RequireExecutable(kind);
        string profile = Directory.CreateTempSubdirectory($"rtcstack-{kind.ToString().ToLowerInvariant()}-").FullName;
        var psi = new ProcessStartInfo(networkNamespace is null ? exe : ExternalTool.Require("ip", "iproute2"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        if (networkNamespace is not null)
        {
            foreach (string arg in (string[])["netns", "exec", networkNamespace, exe])
            {
                psi.ArgumentList.Add(arg);
            }
        }

        if (kind == BrowserKind.Chromium)
        {
            foreach (string arg in ChromiumArguments(profile))
            {
                psi.ArgumentList.Add(arg);
            }
        }
        else
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Browsers", "firefox-user.js"), Path.Combine(profile, "user.js"));
            psi.Environment["MOZ_HEADLESS"] = "1";
            psi.Environment["MOZ_CRASHREPORTER_DISABLE"] = "1";
            psi.Environment["MOZ_DISABLE_NONLOCAL_CONNECTIONS"] = "1";
            psi.ArgumentList.Add("--headless");
            psi.ArgumentList.Add("--no-remote");
            psi.ArgumentList.Add("--profile");
            psi.ArgumentList.Add(profile);
        }

        foreach (string arg in extraArguments)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.ArgumentList.Add(url);
        Process process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + exe);
        var browser = new HeadlessBrowser(kind, process, profile);
        process.OutputDataReceived += (_, e) => browser.Append(e.Data);
        process.ErrorDataReceived += (_, e) => browser.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return browser;
    }

    /// <summary>The Chromium command line used by the suite (also useful to reproduce a run by hand).</summary>
    public static IReadOnlyList<string> ChromiumArguments(string profileDir) =>
    [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--no-default-browser-check", "--disable-breakpad",
        "--user-data-dir=" + profileDir, "--autoplay-policy=no-user-gesture-required",
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        "--allow-loopback-in-peer-connection",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ];

    /// <summary>Kills the browser (and its child processes) by PID and removes its profile.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_profileDir, recursive: true);
        }
        catch (IOException)
        {
            // A child may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length < 64 * 1024)
            {
                _log.AppendLine(line);
            }
        }
    }
}
