using DiffusionLab.Data.World;
using DiffusionLab.Imaging;
using DiffusionLab.StoryDiffusion;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.StoryDiffusion;

public sealed class StoryComicTests : IDisposable
{
    private readonly CharacterWorld _world = new();
    private readonly Story _story = StoryParser.Load(ExampleStoryTests.BeachDayPath);
    private readonly List<Tensor> _images;

    public StoryComicTests() =>
        _images = _story.Panels.Select(p => _world.Render(p.Character switch { "Lily" => 1, "Tom" => 2, _ => 3 }, p.Index).ToTensor()).ToList();

    public void Dispose()
    {
        foreach (var t in _images) t.Dispose();
        _world.Dispose();
    }

    [Theory]
    [InlineData(ComicLayoutKind.Classic, CaptionPlacement.Below)]
    [InlineData(ComicLayoutKind.Classic, CaptionPlacement.Overlay)]
    [InlineData(ComicLayoutKind.FourPanel, CaptionPlacement.Below)]
    [InlineData(ComicLayoutKind.FourPanel, CaptionPlacement.Overlay)]
    public void Pages_decode_at_the_computed_size_with_the_pictures_where_the_geometry_says(ComicLayoutKind layout, CaptionPlacement captions)
    {
        var options = new StoryComicOptions { Layout = layout, Seed = 4, Style = new ComicPageStyle { Captions = captions } };
        var comic = StoryComic.Render(_story, _images, options);
        Assert.Equal(layout == ComicLayoutKind.Classic ? 1 : 2, comic.Pngs.Count);
        Assert.Equal(256, comic.Style.PanelSide);
        for (int p = 0; p < comic.Pages.Count; p++)
        {
            var page = comic.Pages[p];
            using var decoded = TensorImages.FromPng(comic.Pngs[p], 3);
            Assert.Equal(new long[] { 3, page.Height, page.Width }, decoded.shape);
            Assert.Equal(1f, decoded[0, 1, 1].item<float>()); // white margin
            foreach (var cell in page.PanelCells)
            {
                // full-size pictures are a 4× nearest-neighbour enlargement: the top-left 4×4 block is the source's pixel (0,0)
                if (cell.Image.Width == 256)
                {
                    using var source = _images[cell.Panel!.Value];
                    for (int c = 0; c < 3; c++)
                        Assert.Equal(source[c, 0, 0].item<float>(), decoded[c, cell.Image.Top + 3, cell.Image.Left + 3].item<float>(), 3);
                }
                // the frame's outline is black just outside the panel
                Assert.Equal(-1f, decoded[0, cell.Frame.Top - 1, cell.Frame.Left + 5].item<float>());
            }
        }
    }

    [Fact]
    public void Every_caption_lies_inside_its_box_and_its_panel()
    {
        var style = new ComicPageStyle();
        foreach (var captions in new[] { CaptionPlacement.Below, CaptionPlacement.Overlay })
        {
            var options = new StoryComicOptions { Style = style with { Captions = captions } };
            var pages = StoryComic.Layout(_story.Panels.Count, 64, options);
            using var renderer = new ComicRenderer(style with { Captions = captions, PanelSide = 256 });
            foreach (var cell in pages.SelectMany(p => p.PanelCells))
            {
                var placed = renderer.PlaceCaption(cell, _story.Panels[cell.Panel!.Value].Caption);
                Assert.NotNull(placed);
                var area = cell.CaptionArea;
                Assert.True(placed.Box.Left >= area.Left && placed.Box.Right <= area.Right && placed.Box.Top >= area.Top && placed.Box.Bottom <= area.Bottom,
                    $"panel {cell.Panel}: box {placed.Box} outside caption area {area}");
                using var font = CaptionFitter.Font(renderer.Typeface, placed.Fit.FontSize);
                for (int i = 0; i < placed.Fit.Lines.Count; i++)
                {
                    float half = font.MeasureText(placed.Fit.Lines[i]) / 2;
                    var (x, y) = (placed.Anchors[i].X, placed.Anchors[i].Y);
                    Assert.True(x - half >= placed.Box.Left + style.CaptionPadding - 0.01f && x + half <= placed.Box.Right - style.CaptionPadding + 0.01f,
                        $"panel {cell.Panel} line '{placed.Fit.Lines[i]}' overflows its box sideways");
                    Assert.True(y + font.Metrics.Ascent >= placed.Box.Top - 0.01f && y + font.Metrics.Descent <= placed.Box.Bottom + 0.01f,
                        $"panel {cell.Panel} line '{placed.Fit.Lines[i]}' overflows its box vertically");
                }
            }
        }
    }

    [Fact]
    public void A_very_long_caption_on_a_stacked_panel_is_cut_with_an_ellipsis_inside_its_strip()
    {
        var pages = StoryComic.Layout(4, 64);
        var stacked = pages[0].PanelCells.First(c => c.Image.Width < 256);
        using var renderer = new ComicRenderer(new ComicPageStyle());
        var placed = renderer.PlaceCaption(stacked, string.Join(" ", Enumerable.Repeat("a very long caption", 30)));
        Assert.NotNull(placed);
        Assert.True(placed.Fit.Truncated);
        Assert.Equal(renderer.Style.MinFontSize, placed.Fit.FontSize);
        Assert.EndsWith(CaptionFitter.Ellipsis, placed.Fit.Lines[^1]);
        Assert.True(placed.Fit.Height <= stacked.CaptionArea.Height - 2 * renderer.Style.CaptionPadding);
    }

    [Fact]
    public void Rendering_is_deterministic_for_a_seed()
    {
        var a = StoryComic.Render(_story, _images, new StoryComicOptions { Seed = 7 });
        var b = StoryComic.Render(_story, _images, new StoryComicOptions { Seed = 7 });
        Assert.Equal(a.Pngs[0], b.Pngs[0]);
    }

    [Fact]
    public void Bitmaps_and_tensors_give_the_same_page()
    {
        var bitmaps = _images.Select(TensorImages.ToBitmap).ToArray();
        try
        {
            var fromBitmaps = StoryComic.Render(_story, bitmaps);
            var fromTensors = StoryComic.Render(_story, _images);
            Assert.Equal(fromTensors.Pngs[0], fromBitmaps.Pngs[0]);
            var pages = StoryComic.RenderBitmaps(bitmaps, _story.Captions);
            Assert.Equal((fromTensors.Pages[0].Width, fromTensors.Pages[0].Height), (pages[0].Width, pages[0].Height));
            foreach (var p in pages) p.Dispose();
        }
        finally { foreach (var b in bitmaps) b.Dispose(); }
    }

    [Fact]
    public void Grey_pictures_and_smooth_scaling_render_too()
    {
        var grey = Enumerable.Range(0, 5).Select(i => torch.full(1, 32, 32, i / 5f - 0.5f)).ToArray();
        var comic = StoryComic.Render(grey, ["one", null, "", "four", "five"], new StoryComicOptions { Style = new ComicPageStyle { Scaling = PanelScaling.Smooth } });
        using var decoded = TensorImages.FromPng(comic.Pngs[0], 3);
        Assert.Equal(new long[] { 3, comic.Pages[0].Height, comic.Pages[0].Width }, decoded.shape);
        foreach (var t in grey) t.Dispose();
    }

    [Fact]
    public void Wrong_inputs_fail_with_a_clear_message()
    {
        var tooFew = Assert.Throws<ArgumentException>(() => StoryComic.Render(_story, _images.Take(3).ToList()));
        Assert.Contains("8 panels but 3 images", tooFew.Message);
        using var wide = torch.zeros(3, 32, 48);
        var notSquare = Assert.Throws<ArgumentException>(() => StoryComic.Render([wide], ["x"]));
        Assert.Contains("expected a square picture, got 48x32", notSquare.Message);
        Assert.Throws<ArgumentException>(() => StoryComic.Render(_images, ["only one caption"]));
        var missingFont = new StoryComicOptions { Style = new ComicPageStyle { FontFile = "/nonexistent/font.ttf" } };
        Assert.Throws<FileNotFoundException>(() => StoryComic.Render(_story, _images, missingFont));
    }
}
