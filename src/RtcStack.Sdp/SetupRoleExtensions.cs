namespace RtcStack.Sdp;

/// <summary>Conversions for <see cref="SetupRole"/>.</summary>
public static class SetupRoleExtensions
{
    /// <summary>Returns the attribute value ("active", "passive", "actpass", "holdconn").</summary>
    /// <param name="role">The role.</param>
    /// <returns>The value.</returns>
    public static string ToSdpString(this SetupRole role) => role switch
    {
        SetupRole.Active => "active",
        SetupRole.Passive => "passive",
        SetupRole.ActPass => "actpass",
        SetupRole.HoldConn => "holdconn",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    /// <summary>Parses an "a=setup" value (RFC 4145 §4).</summary>
    /// <param name="text">The value.</param>
    /// <param name="role">The role.</param>
    /// <returns>Whether the value is one of the four RFC 4145 values.</returns>
    public static bool TryParseSetupRole(ReadOnlySpan<char> text, out SetupRole role)
    {
        switch (text)
        {
            case "active": role = SetupRole.Active; return true;
            case "passive": role = SetupRole.Passive; return true;
            case "actpass": role = SetupRole.ActPass; return true;
            case "holdconn": role = SetupRole.HoldConn; return true;
            default: role = SetupRole.ActPass; return false;
        }
    }
}
