using System.Text;
using SkiaSharp;

namespace DiffusionLab.Imaging;

/// <summary>
/// Wraps a caption into a box by measuring words with the font that will draw them: greedy word wrap
/// to the box width (the official add_caption's wrap, storydiffusion.md §3.3), the font shrunk in
/// half-pixel steps until the lines also fit the box height, and, at the smallest size, the text cut
/// after the last line that fits with an ellipsis. A word wider than the box is split between
/// characters. Every returned line measures at most the box width.
/// </summary>
public static class CaptionFitter
{
    public const string Ellipsis = "\u2026";
    private const float SizeStep = 0.5f;

    public static FittedCaption Fit(string text, SKTypeface typeface, float maxWidth, float maxHeight, float maxFontSize, float minFontSize)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(typeface);
        if (minFontSize <= 0 || maxFontSize < minFontSize)
            throw new ArgumentOutOfRangeException(nameof(minFontSize), $"font sizes {minFontSize}..{maxFontSize}: expected 0 < min <= max");
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (float size = maxFontSize; ; size = Math.Max(minFontSize, size - SizeStep))
        {
            using var font = Font(typeface, size);
            if (words.Length == 0) return new FittedCaption(size, Array.Empty<string>(), font.Spacing, 0, false);
            var lines = Wrap(words, font, maxWidth);
            if (lines is not null && lines.Count * font.Spacing <= maxHeight)
                return new FittedCaption(size, lines, font.Spacing, lines.Max(l => font.MeasureText(l)), false);
            if (size <= minFontSize) return Truncate(words, font, maxWidth, maxHeight);
        }
    }

    /// <summary>The font the fitter measures with and the renderer draws with: same size, same settings.</summary>
    public static SKFont Font(SKTypeface typeface, float size) =>
        new(typeface, size) { Subpixel = true, Edging = SKFontEdging.Antialias };

    private static FittedCaption Truncate(string[] words, SKFont font, float maxWidth, float maxHeight)
    {
        int keep = (int)Math.Floor(maxHeight / font.Spacing);
        var lines = Wrap(words, font, maxWidth) ?? new List<string>();
        if (keep <= 0 || lines.Count == 0 || font.MeasureText(Ellipsis) > maxWidth)
            return new FittedCaption(font.Size, Array.Empty<string>(), font.Spacing, 0, true);
        if (lines.Count > keep)
        {
            lines = lines.Take(keep).ToList();
            string last = lines[^1] + Ellipsis;
            while (font.MeasureText(last) > maxWidth && last.Length > Ellipsis.Length)
                last = last[..^(Ellipsis.Length + 1)].TrimEnd() + Ellipsis;
            lines[^1] = last;
        }
        return new FittedCaption(font.Size, lines, font.Spacing, lines.Max(l => font.MeasureText(l)), true);
    }

    /// <summary>Greedy wrap; null when a single character is already wider than the box.</summary>
    private static List<string>? Wrap(string[] words, SKFont font, float maxWidth)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in words)
        {
            string candidate = line.Length == 0 ? word : $"{line} {word}";
            if (font.MeasureText(candidate) <= maxWidth)
            {
                line.Clear().Append(candidate);
                continue;
            }
            if (line.Length > 0) lines.Add(line.ToString());
            line.Clear();
            string rest = word;
            while (font.MeasureText(rest) > maxWidth)
            {
                int fit = 0;
                while (fit < rest.Length && font.MeasureText(rest[..(fit + 1)]) <= maxWidth) fit++;
                if (fit == 0) return null;
                lines.Add(rest[..fit]);
                rest = rest[fit..];
            }
            line.Append(rest);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return lines;
    }
}
