namespace DiffusionLab.Studies;

/// <summary>
/// A named size of a <see cref="PhotoMakerStudySpec"/>: <c>Key=Value</c> overrides (as <c>--set</c>) of the spec itself,
/// of every PhotoMaker variant's config and of the DreamBooth config. "full" is the spec as written; "smoke" shrinks
/// everything for a quick end-to-end check.
/// </summary>
public sealed record PhotoMakerStudyScale
{
    public string[] Study { get; init; } = [];
    public string[] PhotoMaker { get; init; } = [];
    public string[] DreamBooth { get; init; } = [];
}
