using SkiaSharp;

namespace DiffusionLab.Imaging;

/// <summary>
/// A caption laid out in its panel: the box drawn behind the text (page pixels) and, per line, the
/// point where it is drawn centred: x is the line's centre, y its baseline.
/// </summary>
public sealed record PlacedCaption(FittedCaption Fit, SKRect Box, IReadOnlyList<SKPoint> Anchors);
