namespace DiffusionLab.StoryDiffusion;

/// <summary>StoryDiffusion's page layouts (storydiffusion.md §3.3).</summary>
public enum ComicLayoutKind
{
    /// <summary>
    /// "Classic Comic Style", the app's default: groups of 4 panels (more than 8 panels: 4, 6, 4, 6, …),
    /// each group one row of shuffled slots [1,1,2] or [1,1,2,2], a 2 being two panels stacked at half size.
    /// </summary>
    Classic,

    /// <summary>"Four Pannel": 2×2 panels per page.</summary>
    FourPanel,
}
