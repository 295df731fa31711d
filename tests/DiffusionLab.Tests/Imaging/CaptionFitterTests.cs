using DiffusionLab.Imaging;
using SkiaSharp;

namespace DiffusionLab.Tests.Imaging;

public sealed class CaptionFitterTests : IDisposable
{
    private readonly SKTypeface _typeface = SKTypeface.FromFile(new ComicPageStyle().FontFile);

    public void Dispose() => _typeface.Dispose();

    private void AssertInside(FittedCaption fit, float width, float height)
    {
        using var font = CaptionFitter.Font(_typeface, fit.FontSize);
        Assert.All(fit.Lines, line => Assert.True(font.MeasureText(line) <= width, $"'{line}' measures {font.MeasureText(line)} > {width}"));
        Assert.True(fit.Height <= height, $"{fit.Lines.Count} lines × {fit.LineSpacing} > {height}");
        Assert.Equal(font.Spacing, fit.LineSpacing);
    }

    [Fact]
    public void A_short_caption_is_one_line_at_the_largest_size()
    {
        var fit = CaptionFitter.Fit("Lily finds a shell.", _typeface, 240, 50, 15, 9);
        Assert.Equal(15f, fit.FontSize);
        Assert.Equal(new[] { "Lily finds a shell." }, fit.Lines);
        Assert.False(fit.Truncated);
        AssertInside(fit, 240, 50);
    }

    [Fact]
    public void A_long_caption_wraps_at_words_and_keeps_every_word()
    {
        const string text = "Meanwhile the waves keep coming in, one after another, as if nothing in the world could be late.";
        var fit = CaptionFitter.Fit(text, _typeface, 180, 60, 15, 9);
        Assert.True(fit.Lines.Count >= 3);
        Assert.Equal(text, string.Join(" ", fit.Lines));
        Assert.False(fit.Truncated);
        AssertInside(fit, 180, 60);
    }

    [Fact]
    public void A_caption_too_long_for_its_box_shrinks_then_ends_with_an_ellipsis()
    {
        string text = string.Join(" ", Enumerable.Repeat("the waves keep coming in", 20));
        var fit = CaptionFitter.Fit(text, _typeface, 100, 32, 15, 9);
        Assert.Equal(9f, fit.FontSize);
        Assert.True(fit.Truncated);
        Assert.EndsWith(CaptionFitter.Ellipsis, fit.Lines[^1]);
        Assert.NotEmpty(fit.Lines);
        AssertInside(fit, 100, 32);
    }

    [Fact]
    public void Shrinking_stops_at_the_first_size_that_fits()
    {
        const string text = "They watch the stars until midnight and then some more.";
        var fit = CaptionFitter.Fit(text, _typeface, 120, 40, 15, 9);
        Assert.InRange(fit.FontSize, 9f, 14.5f);
        Assert.False(fit.Truncated);
        AssertInside(fit, 120, 40);
        var atBigger = CaptionFitter.Fit(text, _typeface, 120, 40, fit.FontSize + 0.5f, fit.FontSize + 0.5f);
        Assert.True(atBigger.Truncated); // half a pixel more would not have fitted
    }

    [Fact]
    public void A_word_wider_than_the_box_is_split()
    {
        var fit = CaptionFitter.Fit("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaah!", _typeface, 60, 200, 12, 12);
        Assert.True(fit.Lines.Count > 1);
        Assert.Equal("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaah!", string.Concat(fit.Lines));
        AssertInside(fit, 60, 200);
    }

    [Fact]
    public void Empty_text_and_a_box_lower_than_a_line_give_no_lines()
    {
        Assert.Empty(CaptionFitter.Fit("   ", _typeface, 100, 100, 15, 9).Lines);
        var none = CaptionFitter.Fit("hello there", _typeface, 100, 5, 15, 9);
        Assert.Empty(none.Lines);
        Assert.True(none.Truncated);
    }
}
