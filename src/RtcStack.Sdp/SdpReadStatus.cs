namespace RtcStack.Sdp;

/// <summary>The outcome of one <see cref="SdpReader.Read"/> call.</summary>
public enum SdpReadStatus
{
    /// <summary>A line was read: <see cref="SdpReader.Type"/> and <see cref="SdpReader.Value"/> describe it.</summary>
    Line,

    /// <summary>The input is exhausted; no more lines.</summary>
    End,

    /// <summary>The input is malformed; <see cref="SdpReader.Error"/> says where and why. Further reads return this again.</summary>
    Error,
}
