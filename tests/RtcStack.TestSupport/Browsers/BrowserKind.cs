// Also compiled (internal) into rtcstack, whose `bottleneck` command uses it: one implementation, linked.
#if RTCSTACK_CLI
namespace RtcStack.Cli.Bottleneck;
#else
namespace RtcStack.TestSupport.Browsers;
#endif

/// <summary>The headless browsers the interop suite drives.</summary>
#if RTCSTACK_CLI
internal
#else
public
#endif
enum BrowserKind
{
    /// <summary>Debian's Chromium (package <c>chromium</c>).</summary>
    Chromium,

    /// <summary>Debian's Firefox ESR (package <c>firefox-esr</c>).</summary>
    Firefox,
}
