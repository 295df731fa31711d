namespace DiffusionLab.Imaging;

/// <summary>Where a comic panel's caption goes.</summary>
public enum CaptionPlacement
{
    /// <summary>
    /// StoryDiffusion's look (storydiffusion.md §3.3): centred lines over the bottom of the picture on
    /// a white box at alpha 200/255, the box as wide as the longest line.
    /// </summary>
    Overlay,

    /// <summary>A white strip under the picture, inside the panel's frame: the picture stays whole.</summary>
    Below,
}
