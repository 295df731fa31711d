namespace DiffusionLab.Imaging;

/// <summary>
/// How comic pages look: sizes in pixels of the finished page. Defaults follow StoryDiffusion's
/// comic code (storydiffusion.md §3.3, [UT]) where it has a number, and say so; the rest is ours.
/// </summary>
public sealed record ComicPageStyle
{
    /// <summary>
    /// Side of a full-size panel's picture. The official app draws 768-px panels (its default size,
    /// §3.5); 256 is a 64-px CharacterWorld image enlarged 4×.
    /// </summary>
    public int PanelSide { get; init; } = 256;

    /// <summary>White space around the page: the official 10-px white border of each panel (§3.3).</summary>
    public int Margin { get; init; } = 10;

    /// <summary>White space between panels: two neighbouring 10-px borders in the official code.</summary>
    public int Gutter { get; init; } = 20;

    /// <summary>Black outline around each panel (picture and caption strip), drawn in the gutter. The official pages have none (0).</summary>
    public int FrameWidth { get; init; } = 2;

    public CaptionPlacement Captions { get; init; } = CaptionPlacement.Below;

    /// <summary>Below: the caption strip's height as a fraction of the picture's side (3 lines of the default font); 0: no strip.</summary>
    public double CaptionStripFraction { get; init; } = 0.25;

    /// <summary>
    /// Below: the least strip height, so a half-size stacked panel still shows 3 lines of
    /// <see cref="MinFontSize"/> text (3 × 10.5 px DejaVu line spacing + padding) instead of one cut line.
    /// </summary>
    public int MinCaptionStrip { get; init; } = 42;

    /// <summary>Overlay: the caption box's largest height as a fraction of the picture's side; the official box has no limit.</summary>
    public double OverlayMaxFraction { get; init; } = 0.4;

    /// <summary>Overlay: space between the box and the picture's bottom, as a fraction of the side: official 20 px at 768 px.</summary>
    public double OverlayBottomFraction { get; init; } = 20.0 / 768;

    /// <summary>Opacity of the overlay box, 0..255: official 200.</summary>
    public int OverlayAlpha { get; init; } = 200;

    /// <summary>Space between the text and its box's edge: official 5 px.</summary>
    public int CaptionPadding { get; init; } = 5;

    /// <summary>
    /// A caption's starting font size as a fraction of its picture's side: official 45 px at 768 px
    /// ([LV] L952-953), so 15 px on a 256-px panel. Proportional, as in the official code where a
    /// shrunk row or a half-size stacked pair is resampled text and all; it also keeps the captions
    /// of all stacked panels one size.
    /// </summary>
    public double FontSizeFraction { get; init; } = 45.0 / 768;

    /// <summary>Captions that do not fit shrink down to this size before they are cut with an ellipsis.</summary>
    public float MinFontSize { get; init; } = 9f;

    /// <summary>DejaVu Sans (dotnet-stack.md §5); the official code ships Inkfree.ttf, a handwriting face.</summary>
    public string FontFile { get; init; } = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    public PanelScaling Scaling { get; init; } = PanelScaling.Nearest;

    /// <summary>The size a caption under or over a picture of <paramref name="side"/> px starts from, never below <see cref="MinFontSize"/>.</summary>
    public float StartFontSize(int side) => Math.Max(MinFontSize, (float)(side * FontSizeFraction));

    /// <summary>Throws ArgumentOutOfRangeException naming the first setting outside its range.</summary>
    public void Validate()
    {
        Check(PanelSide is >= 8 and <= 4096, nameof(PanelSide), PanelSide, "8..4096");
        Check(Margin is >= 0 and <= 1000, nameof(Margin), Margin, "0..1000");
        Check(Gutter is >= 0 and <= 1000, nameof(Gutter), Gutter, "0..1000");
        Check(FrameWidth >= 0 && 2 * FrameWidth <= Math.Min(Gutter, 2 * Margin), nameof(FrameWidth), FrameWidth, $">= 0 and at most half the gutter and the margin (the frame is drawn in them)");
        Check(Enum.IsDefined(Captions), nameof(Captions), Captions, "Overlay or Below");
        Check(CaptionStripFraction is >= 0 and <= 1, nameof(CaptionStripFraction), CaptionStripFraction, "0..1");
        Check(MinCaptionStrip is >= 0 and <= 1000, nameof(MinCaptionStrip), MinCaptionStrip, "0..1000");
        Check(OverlayMaxFraction is > 0 and <= 1, nameof(OverlayMaxFraction), OverlayMaxFraction, "(0, 1]");
        Check(OverlayBottomFraction is >= 0 and < 0.5, nameof(OverlayBottomFraction), OverlayBottomFraction, "0..0.5");
        Check(OverlayAlpha is >= 0 and <= 255, nameof(OverlayAlpha), OverlayAlpha, "0..255");
        Check(CaptionPadding is >= 0 and <= 100, nameof(CaptionPadding), CaptionPadding, "0..100");
        Check(FontSizeFraction is > 0 and <= 1, nameof(FontSizeFraction), FontSizeFraction, "(0, 1]");
        Check(MinFontSize is >= 4 and <= 200, nameof(MinFontSize), MinFontSize, "4..200");
        Check(!string.IsNullOrWhiteSpace(FontFile), nameof(FontFile), FontFile, "a .ttf path");
        Check(Enum.IsDefined(Scaling), nameof(Scaling), Scaling, "Nearest or Smooth");
    }

    private static void Check(bool ok, string name, object value, string expected)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, $"ComicPageStyle.{name} = {value}: expected {expected}");
    }
}
