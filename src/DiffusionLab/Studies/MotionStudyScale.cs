namespace DiffusionLab.Studies;

/// <summary>
/// A named size of a <see cref="MotionStudySpec"/>: <c>Key=Value</c> overrides (as <c>--set</c>) of the spec itself and of
/// both motion configs. "full" is the spec as written; "smoke" shrinks everything for a quick end-to-end check.
/// </summary>
public sealed record MotionStudyScale
{
    public string[] Study { get; init; } = [];
    public string[] Motion { get; init; } = [];
}
