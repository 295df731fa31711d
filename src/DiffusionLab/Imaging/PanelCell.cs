using SkiaSharp;

namespace DiffusionLab.Imaging;

/// <summary>
/// Where one panel sits on its page, in page pixels (right and bottom exclusive).
/// </summary>
/// <param name="Panel">The panel's index, or null for a blank cell that keeps a place free.</param>
/// <param name="Frame">The whole panel, picture and caption strip; its outline is drawn just outside.</param>
/// <param name="Image">The square the picture is scaled into.</param>
/// <param name="CaptionArea">Where the caption's box may go: the strip under the picture (Below) or the bottom of the picture (Overlay).</param>
/// <param name="Row">The row's index on the page, top row 0.</param>
public sealed record PanelCell(int? Panel, SKRectI Frame, SKRectI Image, SKRectI CaptionArea, int Row);
