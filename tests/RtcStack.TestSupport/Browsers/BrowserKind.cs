namespace RtcStack.TestSupport.Browsers;

/// <summary>The headless browsers the interop suite drives.</summary>
public enum BrowserKind
{
    /// <summary>Debian's Chromium (package <c>chromium</c>).</summary>
    Chromium,

    /// <summary>Debian's Firefox ESR (package <c>firefox-esr</c>).</summary>
    Firefox,
}
