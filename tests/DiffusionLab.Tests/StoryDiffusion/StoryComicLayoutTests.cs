using DiffusionLab.Imaging;
using DiffusionLab.StoryDiffusion;
using SkiaSharp;

namespace DiffusionLab.Tests.StoryDiffusion;

public class StoryComicLayoutTests
{
    public static IEnumerable<object[]> Cases() =>
        from n in Enumerable.Range(1, 16)
        from layout in new[] { ComicLayoutKind.Classic, ComicLayoutKind.FourPanel }
        from captions in new[] { CaptionPlacement.Below, CaptionPlacement.Overlay }
        select new object[] { n, layout, captions };

    [Theory]
    [InlineData(1, new[] { 1 })]
    [InlineData(3, new[] { 3 })]
    [InlineData(4, new[] { 4 })]
    [InlineData(5, new[] { 4, 1 })]
    [InlineData(8, new[] { 4, 4 })]
    [InlineData(9, new[] { 4, 5 })]
    [InlineData(10, new[] { 4, 6 })]
    [InlineData(13, new[] { 4, 6, 3 })]
    [InlineData(16, new[] { 4, 6, 4, 2 })]
    public void Classic_groups_are_4s_up_to_8_panels_then_4_6_alternating(int panels, int[] groups) =>
        Assert.Equal(groups, StoryComicLayout.ClassicGroups(panels));

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 0)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(6, 2)]
    public void Stacked_pairs_per_row_reproduce_the_official_4_and_6(int panels, int pairs) =>
        Assert.Equal(pairs, StoryComicLayout.StackedPairs(panels));

    [Fact]
    public void Classic_rows_of_4_and_6_use_the_official_slots()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var rows = StoryComicLayout.Plan(ComicLayoutKind.Classic, 10, seed).Single().Rows;
            Assert.Equal(new[] { 1, 1, 2 }, rows[0].Slots.Select(s => s.Panels.Count).Order());
            Assert.Equal(new[] { 1, 1, 2, 2 }, rows[1].Slots.Select(s => s.Panels.Count).Order());
        }
        // a short last group: the slots nearest in width to a row of 4
        var last = StoryComicLayout.Plan(ComicLayoutKind.Classic, 9, 0).Single().Rows[1];
        Assert.Equal(new[] { 1, 2, 2 }, last.Slots.Select(s => s.Panels.Count).Order());
        var three = StoryComicLayout.Plan(ComicLayoutKind.Classic, 7, 0).Single().Rows[1];
        Assert.Equal(new[] { 1, 1, 1 }, three.Slots.Select(s => s.Panels.Count));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_panel_appears_once_inside_its_page_in_reading_order_without_overlap(int panels, ComicLayoutKind layout, CaptionPlacement captions)
    {
        var options = new StoryComicOptions { Layout = layout, Seed = panels, Style = new ComicPageStyle { Captions = captions } };
        var pages = StoryComic.Layout(panels, 64, options);
        Assert.Equal(Enumerable.Range(0, panels), pages.SelectMany(p => p.PanelCells).Select(c => c.Panel!.Value));
        int frame = options.Style.FrameWidth;
        foreach (var page in pages)
        {
            var bounds = new SKRectI(0, 0, page.Width, page.Height);
            foreach (var cell in page.Cells)
            {
                var outline = SKRectI.Inflate(cell.Frame, frame, frame);
                Assert.True(bounds.Contains(outline), $"page {page.Index}: frame of panel {cell.Panel} {outline} outside {bounds}");
                Assert.True(cell.Frame.Contains(cell.Image), $"panel {cell.Panel}: image {cell.Image} outside frame {cell.Frame}");
                Assert.True(cell.Frame.Contains(cell.CaptionArea), $"panel {cell.Panel}: caption area {cell.CaptionArea} outside frame {cell.Frame}");
                Assert.True(cell.CaptionArea.Height > 0 && cell.CaptionArea.Width > 0);
                Assert.Equal(cell.Image.Width, cell.Image.Height);
                if (captions == CaptionPlacement.Overlay) Assert.True(cell.Image.Contains(cell.CaptionArea));
                else Assert.Equal(cell.Image.Bottom, cell.CaptionArea.Top);
            }
            for (int i = 0; i < page.Cells.Count; i++)
                for (int j = i + 1; j < page.Cells.Count; j++)
                {
                    // outlines included: frames of neighbours never touch
                    var a = SKRectI.Inflate(page.Cells[i].Frame, frame, frame);
                    Assert.False(a.IntersectsWith(page.Cells[j].Frame), $"page {page.Index}: panels {page.Cells[i].Panel} and {page.Cells[j].Panel} overlap");
                }
        }
        if (layout == ComicLayoutKind.FourPanel)
        {
            Assert.Equal((panels + 3) / 4, pages.Count);
            Assert.Single(pages.Select(p => (p.Width, p.Height)).Distinct()); // the last page keeps the 2×2 size
        }
        else Assert.Single(pages);
    }

    [Fact]
    public void Full_classic_rows_end_at_the_same_right_edge()
    {
        var page = StoryComic.Layout(16, 64, new StoryComicOptions { Seed = 3 }).Single();
        var rights = page.Cells.GroupBy(c => c.Row).Where(g => g.Key < 3).Select(g => g.Max(c => c.Frame.Right)).Distinct();
        Assert.Equal(page.Width - 10, Assert.Single(rights));
    }

    [Fact]
    public void Rows_per_page_splits_a_classic_comic()
    {
        var pages = StoryComic.Layout(16, 64, new StoryComicOptions { RowsPerPage = 2 });
        Assert.Equal(2, pages.Count);
        Assert.Equal(Enumerable.Range(0, 10), pages[0].PanelCells.Select(c => c.Panel!.Value));
        Assert.Equal(pages[0].Width, pages[1].Width);
    }

    [Fact]
    public void The_same_seed_gives_the_same_layout_and_seeds_vary_it()
    {
        string Describe(int seed) => string.Join(";", StoryComic.Layout(8, 64, new StoryComicOptions { Seed = seed })
            .SelectMany(p => p.Cells).Select(c => $"{c.Panel}@{c.Frame}"));
        Assert.Equal(Describe(5), Describe(5));
        Assert.True(Enumerable.Range(0, 10).Select(Describe).Distinct().Count() > 1);
    }

    [Fact]
    public void Upscale_sets_the_panel_side()
    {
        Assert.Equal(256, new StoryComicOptions().PanelSide(64));
        Assert.Equal(256, new StoryComicOptions().PanelSide(32));
        Assert.Equal(300, new StoryComicOptions().PanelSide(100));
        Assert.Equal(768, new StoryComicOptions().PanelSide(768));
        Assert.Equal(128, new StoryComicOptions { Upscale = 2 }.PanelSide(64));
        var cell = StoryComic.Layout(4, 64, new StoryComicOptions { Upscale = 3, Layout = ComicLayoutKind.FourPanel })[0].Cells[0];
        Assert.Equal(192, cell.Image.Width);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoryComicOptions { Upscale = 0 }.PanelSide(64));
    }
}
