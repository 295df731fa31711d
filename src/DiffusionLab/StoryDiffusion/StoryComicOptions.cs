using DiffusionLab.Imaging;

namespace DiffusionLab.StoryDiffusion;

/// <summary>How a story's panels become comic pages (storydiffusion.md §3.3, §3.5).</summary>
public sealed record StoryComicOptions
{
    /// <summary>Classic, the app's default typesetting ([LV] L1108-1117).</summary>
    public ComicLayoutKind Layout { get; init; } = ComicLayoutKind.Classic;

    /// <summary>Seeds the classic layout's slot shuffle; 0 like the app's default seed (§3.5).</summary>
    public int Seed { get; init; } = 0;

    /// <summary>Classic only: at most this many rows per page; null puts every row on one page, as the official code does.</summary>
    public int? RowsPerPage { get; init; }

    /// <summary>
    /// Integer enlargement of the panel pictures; null picks the smallest factor that makes them at
    /// least <see cref="MinAutoPanelSide"/> px, so a 64-px story is drawn at 4× and stays readable.
    /// </summary>
    public int? Upscale { get; init; }

    public int MinAutoPanelSide { get; init; } = 256;

    /// <summary>The look of the pages; its PanelSide is replaced by the pictures' side × the upscale factor.</summary>
    public ComicPageStyle Style { get; init; } = new();

    /// <summary>The full-size panel side for pictures of <paramref name="imageSide"/> px.</summary>
    public int PanelSide(int imageSide)
    {
        if (imageSide < 1) throw new ArgumentOutOfRangeException(nameof(imageSide), $"imageSide {imageSide}: expected >= 1");
        if (Upscale is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(Upscale), $"StoryComicOptions.Upscale = {Upscale}: expected 1..64 or null (automatic)");
        if (MinAutoPanelSide is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(MinAutoPanelSide), $"StoryComicOptions.MinAutoPanelSide = {MinAutoPanelSide}: expected 1..4096");
        int factor = Upscale ?? Math.Max(1, (MinAutoPanelSide + imageSide - 1) / imageSide);
        return imageSide * factor;
    }
}
