using System.Reflection;
using System.Runtime.InteropServices;

namespace RtcStack.Opus;

/// <summary>
/// Locates and loads the libopus shared library. The search order is: <see cref="LibraryPath"/> if
/// set, then the <c>RTCSTACK_OPUS_LIBRARY</c> environment variable, then the platform's usual
/// names (Linux <c>libopus.so.0</c>, macOS <c>libopus.0.dylib</c> including Homebrew's folders,
/// Windows <c>opus.dll</c>), each also next to the application. A configured path that fails to
/// load is an error, not a reason to fall back.
/// </summary>
public static class OpusLibrary
{
    /// <summary>The environment variable that can name the libopus file to load.</summary>
    public const string EnvironmentVariable = "RTCSTACK_OPUS_LIBRARY";

    private static readonly object s_lock = new();
    private static string? s_libraryPath;
    private static nint s_handle;
    private static string? s_loadedFrom;
    private static bool s_resolverRegistered;

    /// <summary>
    /// Gets or sets the full path (or file name) of the libopus build to load. Must be set before the
    /// first encoder or decoder is created; changing it afterwards throws.
    /// </summary>
    public static string? LibraryPath
    {
        get => s_libraryPath;
        set
        {
            lock (s_lock)
            {
                if (s_handle != 0 && !string.Equals(value, s_libraryPath, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"libopus is already loaded from '{s_loadedFrom}'; set OpusLibrary.LibraryPath before creating an encoder or decoder.");
                }

                s_libraryPath = value;
            }
        }
    }

    /// <summary>Gets the file libopus was loaded from, or null before it is loaded.</summary>
    public static string? LoadedFrom => s_loadedFrom;

    /// <summary>Gets libopus's version string (<c>opus_get_version_string</c>), e.g. "libopus 1.3.1". Loads the library.</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return Marshal.PtrToStringUTF8(OpusNative.GetVersionString()) ?? "";
        }
    }

    /// <summary>Gets a value indicating whether libopus can be loaded, without throwing.</summary>
    public static bool IsAvailable
    {
        get
        {
            try
            {
                EnsureLoaded();
                return true;
            }
            catch (OpusLibraryNotFoundException)
            {
                return false;
            }
        }
    }

    /// <summary>Loads libopus now; throws <see cref="OpusLibraryNotFoundException"/> naming everything tried if it cannot.</summary>
    public static void EnsureLoaded()
    {
        RegisterResolver();
        lock (s_lock)
        {
            if (s_handle != 0)
            {
                return;
            }

            string? configured = s_libraryPath;
            string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
            s_handle = Load(configured, string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment, DefaultCandidates(), typeof(OpusLibrary).Assembly, out s_loadedFrom);
        }
    }

    /// <summary>The file names tried on this platform when nothing is configured.</summary>
    internal static string[] DefaultCandidates()
    {
        if (OperatingSystem.IsWindows())
        {
            return ["opus.dll", "libopus-0.dll", "libopus.dll"];
        }

        if (OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsMacCatalyst() || OperatingSystem.IsTvOS())
        {
            return ["libopus.0.dylib", "libopus.dylib", "/opt/homebrew/lib/libopus.0.dylib", "/usr/local/lib/libopus.0.dylib", "/opt/local/lib/libopus.0.dylib"];
        }

        return ["libopus.so.0", "libopus.so"];
    }

    /// <summary>
    /// Loads the first loadable library: the configured path, else the environment's, else each
    /// candidate. Throws <see cref="OpusLibraryNotFoundException"/> listing what was tried.
    /// </summary>
    internal static nint Load(string? configuredPath, string? environmentPath, IReadOnlyList<string> candidates, Assembly assembly, out string? loadedFrom)
    {
        string? explicitPath = configuredPath ?? environmentPath;
        if (explicitPath is not null)
        {
            string source = configuredPath is not null ? "OpusLibrary.LibraryPath" : $"the {EnvironmentVariable} environment variable";
            if (TryLoad(explicitPath, assembly, out nint handle, out string? reason))
            {
                loadedFrom = explicitPath;
                return handle;
            }

            throw new OpusLibraryNotFoundException(
                $"libopus could not be loaded from '{explicitPath}' (set by {source}): {reason}");
        }

        var tried = new List<string>();
        foreach (string candidate in candidates)
        {
            if (TryLoad(candidate, assembly, out nint handle, out string? reason))
            {
                loadedFrom = candidate;
                return handle;
            }

            tried.Add($"'{candidate}' ({reason})");
        }

        throw new OpusLibraryNotFoundException(
            "libopus (the Opus codec library, libopus.so.0 / libopus.0.dylib / opus.dll) could not be loaded. Tried: " +
            string.Join(", ", tried) +
            $". Install it (Debian/Ubuntu: apt-get install libopus0; macOS: brew install opus; Windows: put opus.dll next to the application) " +
            $"or point RtcStack at a build with OpusLibrary.LibraryPath or the {EnvironmentVariable} environment variable.");
    }

    /// <summary>Installs the DllImport resolver that maps the name "opus" to the loaded library (idempotent).</summary>
    internal static void RegisterResolver()
    {
        lock (s_lock)
        {
            if (s_resolverRegistered)
            {
                return;
            }

            NativeLibrary.SetDllImportResolver(typeof(OpusLibrary).Assembly, Resolve);
            s_resolverRegistered = true;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!string.Equals(libraryName, OpusNative.Library, StringComparison.Ordinal))
        {
            return 0;
        }

        try
        {
            EnsureLoaded();
            return s_handle;
        }
        catch (OpusLibraryNotFoundException)
        {
            // Returning 0 lets the runtime raise its own DllNotFoundException; public entry points
            // call EnsureLoaded first, so users see the descriptive exception instead.
            return 0;
        }
    }

    private static bool TryLoad(string name, Assembly assembly, out nint handle, out string? reason)
    {
        try
        {
            // Path-like names load as given; bare names also search next to the application.
            handle = name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal)
                ? NativeLibrary.Load(name)
                : NativeLibrary.Load(name, assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories);
            reason = null;
            return true;
        }
        catch (DllNotFoundException ex)
        {
            handle = 0;
            reason = FirstLine(ex.Message);
            return false;
        }
        catch (BadImageFormatException ex)
        {
            handle = 0;
            reason = "wrong architecture or not a library: " + FirstLine(ex.Message);
            return false;
        }
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).Trim();
    }
}
