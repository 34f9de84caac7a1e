using System.Runtime.InteropServices;

namespace RtcStack.TestSupport.LibSrtp;

/// <summary>
/// One loaded build of libsrtp 2.5: Debian's (libsrtp2.so.1, on NSS) or any other build of the same
/// version loaded by path, such as the OpenSSL build of benchmarks/libsrtp-openssl.sh. The entry
/// points are function pointers from NativeLibrary.GetExport, so two builds can run side by side in
/// one process (each needs its own SONAME, which the script gives the OpenSSL build). Reference only.
/// </summary>
public sealed unsafe class LibSrtpLibrary
{
    /// <summary>Environment variable holding the path of the OpenSSL build (benchmarks/libsrtp-openssl.sh prints it).</summary>
    public const string OpenSslPathVariable = "RTCSTACK_LIBSRTP_OPENSSL";

    private static readonly Lazy<LibSrtpLibrary> s_debian = new(() =>
    {
        ExternalTool.RequireLibrary("libsrtp2-1", LibSrtpNative.Library);
        return new LibSrtpLibrary(NativeLibrary.Load(LibSrtpNative.Library), "libsrtp2.so.1 (Debian, NSS)");
    });

    private static readonly Dictionary<string, LibSrtpLibrary> s_byPath = new(StringComparer.Ordinal);

    private LibSrtpLibrary(IntPtr handle, string name)
    {
        Name = name;
        InitFn = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "srtp_init");
        CreateFn = (delegate* unmanaged<IntPtr*, LibSrtpNative.SrtpPolicy*, int>)NativeLibrary.GetExport(handle, "srtp_create");
        DeallocFn = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(handle, "srtp_dealloc");
        ProtectFn = (delegate* unmanaged<IntPtr, byte*, int*, int>)NativeLibrary.GetExport(handle, "srtp_protect");
        UnprotectFn = (delegate* unmanaged<IntPtr, byte*, int*, int>)NativeLibrary.GetExport(handle, "srtp_unprotect");
        ProtectRtcpFn = (delegate* unmanaged<IntPtr, byte*, int*, int>)NativeLibrary.GetExport(handle, "srtp_protect_rtcp");
        UnprotectRtcpFn = (delegate* unmanaged<IntPtr, byte*, int*, int>)NativeLibrary.GetExport(handle, "srtp_unprotect_rtcp");
        SetStreamRocFn = (delegate* unmanaged<IntPtr, uint, uint, int>)NativeLibrary.GetExport(handle, "srtp_set_stream_roc");
        GetStreamRocFn = (delegate* unmanaged<IntPtr, uint, uint*, int>)NativeLibrary.GetExport(handle, "srtp_get_stream_roc");
        int status = InitFn();
        if (status != 0)
        {
            throw new InvalidOperationException($"srtp_init of {name} failed: {status}");
        }
    }

    /// <summary>Gets Debian's build (libsrtp2-1, linked to NSS).</summary>
    public static LibSrtpLibrary Debian => s_debian.Value;

    /// <summary>Gets a description of the build.</summary>
    public string Name { get; }

    internal delegate* unmanaged<int> InitFn { get; }

    internal delegate* unmanaged<IntPtr*, LibSrtpNative.SrtpPolicy*, int> CreateFn { get; }

    internal delegate* unmanaged<IntPtr, int> DeallocFn { get; }

    internal delegate* unmanaged<IntPtr, byte*, int*, int> ProtectFn { get; }

    internal delegate* unmanaged<IntPtr, byte*, int*, int> UnprotectFn { get; }

    internal delegate* unmanaged<IntPtr, byte*, int*, int> ProtectRtcpFn { get; }

    internal delegate* unmanaged<IntPtr, byte*, int*, int> UnprotectRtcpFn { get; }

    internal delegate* unmanaged<IntPtr, uint, uint, int> SetStreamRocFn { get; }

    internal delegate* unmanaged<IntPtr, uint, uint*, int> GetStreamRocFn { get; }

    /// <summary>Loads a libsrtp 2.5 build from <paramref name="path"/> (once per path).</summary>
    public static LibSrtpLibrary Load(string path, string name)
    {
        lock (s_byPath)
        {
            if (!s_byPath.TryGetValue(path, out LibSrtpLibrary? library))
            {
                // Debian's first: by name, the loader would hand back any loaded library with that SONAME.
                _ = Debian;
                library = new LibSrtpLibrary(NativeLibrary.Load(path), name);
                s_byPath.Add(path, library);
            }

            return library;
        }
    }

    /// <summary>
    /// Loads the OpenSSL build: the path in <see cref="OpenSslPathVariable"/>, else where
    /// benchmarks/libsrtp-openssl.sh puts it by default; throws with the command to build it when absent.
    /// </summary>
    public static LibSrtpLibrary OpenSsl()
    {
        string? path = Environment.GetEnvironmentVariable(OpenSslPathVariable);
        if (string.IsNullOrEmpty(path))
        {
            string cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            path = Path.Combine(cache, "rtcstack", "libsrtp-openssl", "libsrtp2-openssl.so");
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"libsrtp built with OpenSSL not found at {path}: run benchmarks/libsrtp-openssl.sh (it prints the path for {OpenSslPathVariable})");
        }

        return Load(path, "libsrtp 2.5.0 (Debian source, --enable-openssl)");
    }
}
