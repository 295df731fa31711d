using SkiaSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Imaging;

/// <summary>
/// Draws comic pages from their geometry (<see cref="ComicPageLayout"/>): white page, each picture
/// scaled into its square, its caption (<see cref="CaptionFitter"/>) and a black frame. Pictures are
/// SKBitmaps or image tensors (C,H,W) in [−1,1]; captions may be null or empty (no caption). Owns the
/// caption typeface, loaded once from <see cref="ComicPageStyle.FontFile"/>.
/// </summary>
public sealed class ComicRenderer : IDisposable
{
    private readonly SKTypeface _typeface;

    public ComicRenderer(ComicPageStyle style)
    {
        ArgumentNullException.ThrowIfNull(style);
        style.Validate();
        if (!File.Exists(style.FontFile)) throw new FileNotFoundException($"caption font '{style.FontFile}' not found (ComicPageStyle.FontFile)", style.FontFile);
        _typeface = SKTypeface.FromFile(style.FontFile) ?? throw new InvalidDataException($"caption font '{style.FontFile}': not a font SkiaSharp can read");
        Style = style;
    }

    public ComicPageStyle Style { get; }

    /// <summary>The typeface captions are measured and drawn with.</summary>
    public SKTypeface Typeface => _typeface;

    /// <summary>The caption's box and lines in a cell, or null when there is nothing to draw.</summary>
    public PlacedCaption? PlaceCaption(PanelCell cell, string? caption)
    {
        ArgumentNullException.ThrowIfNull(cell);
        if (string.IsNullOrWhiteSpace(caption)) return null;
        var area = cell.CaptionArea;
        int pad = Style.CaptionPadding;
        float textWidth = area.Width - 2 * pad, textHeight = area.Height - 2 * pad;
        if (textWidth <= 0 || textHeight <= 0) return null;
        var fit = CaptionFitter.Fit(caption, _typeface, textWidth, textHeight, Style.StartFontSize(cell.Image.Width), Style.MinFontSize);
        if (fit.Lines.Count == 0) return null;
        SKRect box;
        float textTop;
        if (Style.Captions == CaptionPlacement.Overlay)
        {
            float width = fit.Width + 2 * pad, height = fit.Height + 2 * pad;
            float left = area.Left + (area.Width - width) / 2;
            box = new SKRect(left, area.Bottom - height, left + width, area.Bottom);
            textTop = box.Top + pad;
        }
        else
        {
            box = new SKRect(area.Left, area.Top, area.Right, area.Bottom);
            textTop = area.Top + (area.Height - fit.Height) / 2;
        }
        using var font = CaptionFitter.Font(_typeface, fit.FontSize);
        float ascent = -font.Metrics.Ascent, centre = (area.Left + area.Right) / 2f;
        var anchors = fit.Lines.Select((_, i) => new SKPoint(centre, textTop + i * fit.LineSpacing + ascent)).ToArray();
        return new PlacedCaption(fit, box, anchors);
    }

    /// <summary>One page as a bitmap (the caller disposes it); images and captions are indexed by panel.</summary>
    public SKBitmap RenderPage(ComicPage page, IReadOnlyList<SKBitmap> images, IReadOnlyList<string?> captions)
    {
        ArgumentNullException.ThrowIfNull(page);
        CheckInputs(new[] { page }, images, captions);
        var bitmap = new SKBitmap(new SKImageInfo(page.Width, page.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var framePaint = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = Style.FrameWidth, IsAntialias = false };
        using var boxPaint = new SKPaint { Color = SKColors.White.WithAlpha((byte)(Style.Captions == CaptionPlacement.Overlay ? Style.OverlayAlpha : 255)), Style = SKPaintStyle.Fill };
        using var textPaint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        foreach (var cell in page.PanelCells)
        {
            int panel = cell.Panel!.Value;
            DrawPicture(canvas, images[panel], cell.Image);
            if (PlaceCaption(cell, captions[panel]) is { } placed)
            {
                canvas.DrawRect(placed.Box, boxPaint);
                using var font = CaptionFitter.Font(_typeface, placed.Fit.FontSize);
                for (int i = 0; i < placed.Fit.Lines.Count; i++)
                    canvas.DrawText(placed.Fit.Lines[i], placed.Anchors[i].X, placed.Anchors[i].Y, SKTextAlign.Center, font, textPaint);
            }
            if (Style.FrameWidth > 0)
            {
                float half = Style.FrameWidth / 2f; // the stroke is centred on its path: outset by half keeps it off the picture
                var f = cell.Frame;
                canvas.DrawRect(new SKRect(f.Left - half, f.Top - half, f.Right + half, f.Bottom + half), framePaint);
            }
        }
        canvas.Flush();
        return bitmap;
    }

    public IReadOnlyList<byte[]> RenderPngs(IReadOnlyList<ComicPage> pages, IReadOnlyList<SKBitmap> images, IReadOnlyList<string?> captions)
    {
        ArgumentNullException.ThrowIfNull(pages);
        CheckInputs(pages, images, captions);
        return pages.Select(page =>
        {
            using var bitmap = RenderPage(page, images, captions);
            using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            return encoded.ToArray();
        }).ToArray();
    }

    /// <summary>The same from image tensors (C,H,W) in [−1,1], C = 1 or 3.</summary>
    public IReadOnlyList<byte[]> RenderPngs(IReadOnlyList<ComicPage> pages, IReadOnlyList<Tensor> images, IReadOnlyList<string?> captions)
    {
        ArgumentNullException.ThrowIfNull(images);
        var bitmaps = images.Select(TensorImages.ToBitmap).ToArray();
        try { return RenderPngs(pages, bitmaps, captions); }
        finally { foreach (var b in bitmaps) b.Dispose(); }
    }

    public void Dispose() => _typeface.Dispose();

    private void DrawPicture(SKCanvas canvas, SKBitmap picture, SKRectI target)
    {
        using var image = SKImage.FromBitmap(picture);
        bool enlarging = target.Width >= picture.Width && target.Height >= picture.Height;
        var sampling = Style.Scaling == PanelScaling.Nearest ? new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None)
            : enlarging ? new SKSamplingOptions(SKCubicResampler.Mitchell)
            : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        canvas.DrawImage(image, new SKRect(target.Left, target.Top, target.Right, target.Bottom), sampling);
    }

    private static void CheckInputs(IReadOnlyList<ComicPage> pages, IReadOnlyList<SKBitmap> images, IReadOnlyList<string?> captions)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(captions);
        if (captions.Count != images.Count) throw new ArgumentException($"{images.Count} images but {captions.Count} captions: expected one caption (or null) per image");
        foreach (var cell in pages.SelectMany(p => p.PanelCells))
            if (cell.Panel >= images.Count) throw new ArgumentException($"the layout places panel {cell.Panel}, but there are only {images.Count} images");
        for (int i = 0; i < images.Count; i++)
            if (images[i] is null) throw new ArgumentException($"image {i} is null");
    }
}
