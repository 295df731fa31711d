using DiffusionLab.Imaging;
using SkiaSharp;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// A story's panel pictures as comic pages: StoryDiffusion's layout choice (<see cref="StoryComicLayout"/>)
/// drawn by the generic page composer (<see cref="ComicPageLayout"/>, <see cref="ComicRenderer"/>).
/// Every panel is captioned, the stacked half-size ones too (the official code leaves those bare,
/// issue #39 in storydiffusion.md §6). Pictures are square: tensors (C,H,W) in [−1,1] or bitmaps.
/// </summary>
public static class StoryComic
{
    /// <summary>The pages' geometry for <paramref name="panelCount"/> square pictures of <paramref name="imageSide"/> px.</summary>
    public static IReadOnlyList<ComicPage> Layout(int panelCount, int imageSide, StoryComicOptions? options = null)
    {
        options ??= new StoryComicOptions();
        var plans = StoryComicLayout.Plan(options.Layout, panelCount, options.Seed, options.RowsPerPage);
        return ComicPageLayout.Compose(plans, ResolvedStyle(options, imageSide));
    }

    /// <summary>The comic of a story: one picture per panel, in panel order; captions from the story.</summary>
    public static RenderedComic Render(Story story, IReadOnlyList<Tensor> images, StoryComicOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(story);
        ArgumentNullException.ThrowIfNull(images);
        return Render(images, CheckCount(story, images.Count), options);
    }

    public static RenderedComic Render(Story story, IReadOnlyList<SKBitmap> images, StoryComicOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(story);
        ArgumentNullException.ThrowIfNull(images);
        return Render(images, CheckCount(story, images.Count), options);
    }

    /// <summary>Any pictures and captions (null or empty: no caption), one caption per picture.</summary>
    public static RenderedComic Render(IReadOnlyList<Tensor> images, IReadOnlyList<string?> captions, StoryComicOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        var bitmaps = images.Select(TensorImages.ToBitmap).ToArray();
        try { return Render(bitmaps, captions, options); }
        finally { foreach (var b in bitmaps) b.Dispose(); }
    }

    public static RenderedComic Render(IReadOnlyList<SKBitmap> images, IReadOnlyList<string?> captions, StoryComicOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(captions);
        options ??= new StoryComicOptions();
        int side = ImageSide(images);
        var style = ResolvedStyle(options, side);
        var pages = ComicPageLayout.Compose(StoryComicLayout.Plan(options.Layout, images.Count, options.Seed, options.RowsPerPage), style);
        using var renderer = new ComicRenderer(style);
        return new RenderedComic(pages, renderer.RenderPngs(pages, images, captions), style);
    }

    /// <summary>The pages as bitmaps, for further drawing; the caller disposes them.</summary>
    public static IReadOnlyList<SKBitmap> RenderBitmaps(IReadOnlyList<SKBitmap> images, IReadOnlyList<string?> captions, StoryComicOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        options ??= new StoryComicOptions();
        var style = ResolvedStyle(options, ImageSide(images));
        var pages = ComicPageLayout.Compose(StoryComicLayout.Plan(options.Layout, images.Count, options.Seed, options.RowsPerPage), style);
        using var renderer = new ComicRenderer(style);
        return pages.Select(p => renderer.RenderPage(p, images, captions)).ToArray();
    }

    private static ComicPageStyle ResolvedStyle(StoryComicOptions options, int imageSide) =>
        options.Style with { PanelSide = options.PanelSide(imageSide) };

    private static IReadOnlyList<string?> CheckCount(Story story, int images) =>
        images == story.Panels.Count ? story.Captions
        : throw new ArgumentException($"{story.Source}: {story.Panels.Count} panels but {images} images: expected one image per panel");

    private static int ImageSide(IReadOnlyList<SKBitmap> images)
    {
        if (images.Count == 0) throw new ArgumentException("images: no panels to lay out");
        for (int i = 0; i < images.Count; i++)
            if (images[i] is null || images[i].Width != images[i].Height)
                throw new ArgumentException($"image {i}: expected a square picture, got {images[i]?.Width}x{images[i]?.Height}");
        return images[0].Width;
    }
}
