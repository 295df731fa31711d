namespace DiffusionLab.Imaging;

/// <summary>
/// A caption wrapped to a box by <see cref="CaptionFitter"/>: the lines to draw at <see cref="FontSize"/>,
/// one every <see cref="LineSpacing"/> pixels. Width is the longest line's measured advance; Height is
/// Lines × LineSpacing. Truncated: the text did not fit even at the smallest size, and the last line
/// ends with an ellipsis (or nothing is shown when not even one line fits).
/// </summary>
public sealed record FittedCaption(float FontSize, IReadOnlyList<string> Lines, float LineSpacing, float Width, bool Truncated)
{
    public float Height => Lines.Count * LineSpacing;
}
