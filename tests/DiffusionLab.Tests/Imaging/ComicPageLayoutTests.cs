using DiffusionLab.Imaging;
using SkiaSharp;

namespace DiffusionLab.Tests.Imaging;

public class ComicPageLayoutTests
{
    private static readonly ComicPageStyle Style = new() { PanelSide = 100, Margin = 10, Gutter = 20, CaptionStripFraction = 0.25, MinCaptionStrip = 0 };

    [Fact]
    public void One_row_of_two_panels_has_the_expected_pixel_geometry()
    {
        var page = ComicPageLayout.Compose([new PagePlan(new PageRow(PageSlot.Single(0), PageSlot.Single(1)))], Style).Single();
        // width 10 + 100 + 20 + 100 + 10, height 10 + (100 + 25 strip) + 10
        Assert.Equal((240, 145), (page.Width, page.Height));
        Assert.Equal(new SKRectI(10, 10, 110, 135), page.Cells[0].Frame);
        Assert.Equal(new SKRectI(10, 10, 110, 110), page.Cells[0].Image);
        Assert.Equal(new SKRectI(10, 110, 110, 135), page.Cells[0].CaptionArea);
        Assert.Equal(new SKRectI(130, 10, 230, 110), page.Cells[1].Image);
    }

    [Fact]
    public void A_stacked_pair_fits_into_the_height_of_one_panel()
    {
        var page = ComicPageLayout.Compose([new PagePlan(new PageRow(PageSlot.Single(0), PageSlot.Stacked(1, 2)))], Style).Single();
        var (single, top, bottom) = (page.Cells[0], page.Cells[1], page.Cells[2]);
        Assert.Equal((1, 2), (top.Panel, bottom.Panel));
        Assert.Equal(single.Frame.Top, top.Frame.Top);
        Assert.Equal(single.Frame.Bottom, bottom.Frame.Bottom);
        Assert.True(bottom.Frame.Top - top.Frame.Bottom >= Style.Gutter);
        // (125 − 20) / 2 = 52.5 px per cell of side s and strip round(s/4): s = 42
        Assert.Equal(42, top.Image.Width);
        Assert.Equal(top.Frame.Left, bottom.Frame.Left);
        Assert.Equal(10 + 100 + 20 + 42 + 10, page.Width);
    }

    [Fact]
    public void Rows_wider_than_the_first_are_shrunk_and_justified_narrower_ones_start_left()
    {
        var plan = new PagePlan(
            new PageRow(PageSlot.Single(0), PageSlot.Single(1)),
            new PageRow(PageSlot.Single(2), PageSlot.Single(3), PageSlot.Single(4)),
            new PageRow(PageSlot.Single(5)));
        var page = ComicPageLayout.Compose([plan], Style with { Captions = CaptionPlacement.Overlay }).Single();
        var rows = page.Cells.GroupBy(c => c.Row).ToArray();
        Assert.Equal(220, page.Width - 20);
        // row 1: 3 sides + 2 gutters <= 220 → side 60, slack 0
        Assert.All(rows[1], c => Assert.Equal(60, c.Image.Width));
        Assert.Equal(page.Width - 10, rows[1].Max(c => c.Frame.Right));
        Assert.Equal(100, rows[2].Single().Image.Width);
        Assert.Equal(10, rows[2].Single().Frame.Left);
        Assert.Equal(10 + 100 + 20 + 60 + 20 + 100 + 10, page.Height);
    }

    [Fact]
    public void Overlay_caption_area_sits_at_the_bottom_of_the_picture()
    {
        var style = Style with { Captions = CaptionPlacement.Overlay, OverlayMaxFraction = 0.4, OverlayBottomFraction = 0.05 };
        var cell = ComicPageLayout.Compose([new PagePlan(new PageRow(PageSlot.Single(0)))], style).Single().Cells.Single();
        Assert.Equal(cell.Image, cell.Frame);
        Assert.Equal(new SKRectI(10, 10 + 100 - 5 - 40, 110, 10 + 100 - 5), cell.CaptionArea);
    }

    [Fact]
    public void Blank_cells_keep_their_place()
    {
        var page = ComicPageLayout.Compose([new PagePlan(new PageRow(PageSlot.Single(0), PageSlot.Single(null)))], Style).Single();
        Assert.Equal(2, page.Cells.Count);
        Assert.Null(page.Cells[1].Panel);
        Assert.Single(page.PanelCells);
        Assert.Equal(240, page.Width);
    }

    [Fact]
    public void Plans_placing_a_panel_twice_or_empty_rows_are_rejected()
    {
        var twice = Assert.Throws<ArgumentException>(() => ComicPageLayout.Compose([new PagePlan(new PageRow(PageSlot.Single(0), PageSlot.Stacked(1, 0)))], Style));
        Assert.Contains("panel 0 is placed twice", twice.Message);
        Assert.Throws<ArgumentException>(() => ComicPageLayout.Compose([new PagePlan(new PageRow())], Style));
        Assert.Throws<ArgumentException>(() => ComicPageLayout.Compose([], Style));
        Assert.Throws<ArgumentOutOfRangeException>(() => ComicPageLayout.Compose([new PagePlan(new PageRow(PageSlot.Single(0)))], Style with { FrameWidth = 11 }));
    }

    [Fact]
    public void Reading_order_is_row_slot_then_top_to_bottom()
    {
        var plan = new PagePlan(new PageRow(PageSlot.Stacked(0, 1), PageSlot.Single(2)), new PageRow(PageSlot.Single(3), PageSlot.Single(null)));
        Assert.Equal(new[] { 0, 1, 2, 3 }, plan.PanelsInReadingOrder);
    }
}
