namespace RtcStack.Congestion.External;

/// <summary>One answer line of the outside-controller protocol (docs/cc-research.md).</summary>
/// <param name="TargetBps">Target bitrate, bps (required).</param>
/// <param name="PacingBps">Pacing rate, bps (null: <see cref="ExternalController.DefaultPacingFactor"/> × target).</param>
/// <param name="PaddingBps">Padding rate, bps (null: 0).</param>
/// <param name="TickMs">New tick interval, ms (null: unchanged).</param>
public readonly record struct ExternalControllerAnswer(double TargetBps, double? PacingBps, double? PaddingBps, double? TickMs);
