namespace DiffusionLab.Imaging;

/// <summary>
/// One column of a comic row: one panel, or several stacked top to bottom in the height of one
/// (StoryDiffusion's half-scale stacked pair, storydiffusion.md §3.3). A null entry is a blank cell
/// that keeps its place on the page but shows nothing.
/// </summary>
public sealed record PageSlot(IReadOnlyList<int?> Panels)
{
    public static PageSlot Single(int? panel) => new(new[] { panel });

    public static PageSlot Stacked(int? top, int? bottom) => new(new[] { top, bottom });
}
