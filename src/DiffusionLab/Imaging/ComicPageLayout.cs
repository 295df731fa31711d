using SkiaSharp;

namespace DiffusionLab.Imaging;

/// <summary>
/// Turns page plans into pixel geometry, with StoryDiffusion's composition rules (storydiffusion.md
/// §3.3): a row is as tall as one full-size panel; a slot of n stacked panels fits them, shrunk, into
/// that height; the page is as wide as the first row at full size, and every wider row is shrunk
/// until it fits (the official code resizes all rows to the narrowest). Narrower rows keep full size
/// and start at the left, like the unfinished last row of a comic page. Unlike the official code,
/// which resamples whole rows, the geometry is computed first and each picture is drawn once at its
/// final size, so gutters stay equal and captions stay sharp.
/// </summary>
public static class ComicPageLayout
{
    public static IReadOnlyList<ComicPage> Compose(IReadOnlyList<PagePlan> plans, ComicPageStyle style)
    {
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(style);
        style.Validate();
        CheckPlans(plans);
        var geometry = new Geometry(style);
        int full = style.PanelSide;
        int contentWidth = geometry.RowWidth(plans[0].Rows[0], full);
        var pages = new List<ComicPage>();
        for (int p = 0; p < plans.Count; p++)
        {
            var cells = new List<PanelCell>();
            int y = style.Margin;
            var rows = plans[p].Rows;
            for (int r = 0; r < rows.Count; r++)
            {
                var slots = rows[r].Slots;
                bool shrunk = geometry.RowWidth(rows[r], full) > contentWidth;
                int side = shrunk ? geometry.LargestFitting(rows[r], contentWidth, p, r) : full;
                int height = geometry.CellHeight(side);
                // A shrunk row is justified: its rounding slack goes into the gutters so every full row ends at the same x.
                int slack = shrunk ? contentWidth - geometry.RowWidth(rows[r], side) : 0;
                int x = style.Margin + (shrunk && slots.Count == 1 ? slack / 2 : 0);
                for (int s = 0; s < slots.Count; s++)
                {
                    int slotSide = geometry.SlotSide(slots[s].Panels.Count, side);
                    PlaceSlot(slots[s], x, y, slotSide, height, r, geometry, cells);
                    x += slotSide + style.Gutter + (slots.Count > 1 ? Share(slack, slots.Count - 1, s) : 0);
                }
                y += height + style.Gutter;
            }
            int pageHeight = y - style.Gutter + style.Margin;
            pages.Add(new ComicPage(p, contentWidth + 2 * style.Margin, pageHeight, cells));
        }
        return pages;
    }

    private static void PlaceSlot(PageSlot slot, int x, int y, int side, int rowHeight, int row, Geometry geometry, List<PanelCell> cells)
    {
        int n = slot.Panels.Count;
        int cellHeight = geometry.CellHeight(side);
        // Stacked cells touch the row's top and bottom; the rounding leftover widens the gaps between them.
        int leftover = rowHeight - n * cellHeight - (n - 1) * geometry.Style.Gutter;
        int top = y;
        for (int i = 0; i < n; i++)
        {
            var frame = new SKRectI(x, top, x + side, top + cellHeight);
            var image = new SKRectI(x, top, x + side, top + side);
            cells.Add(new PanelCell(slot.Panels[i], frame, image, geometry.CaptionArea(frame, image), row));
            top += cellHeight + geometry.Style.Gutter + (n > 1 ? Share(leftover, n - 1, i) : 0);
        }
    }

    /// <summary>Part <paramref name="i"/> of <paramref name="total"/> split into <paramref name="parts"/> near-equal integers.</summary>
    private static int Share(int total, int parts, int i) => i >= parts ? 0 : total / parts + (i < total % parts ? 1 : 0);

    private static void CheckPlans(IReadOnlyList<PagePlan> plans)
    {
        if (plans.Count == 0) throw new ArgumentException("plans: no pages");
        var seen = new HashSet<int>();
        for (int p = 0; p < plans.Count; p++)
        {
            var rows = plans[p]?.Rows ?? throw new ArgumentException($"page {p}: null plan");
            if (rows.Count == 0) throw new ArgumentException($"page {p}: no rows");
            for (int r = 0; r < rows.Count; r++)
            {
                if (rows[r].Slots.Count == 0) throw new ArgumentException($"page {p} row {r}: no slots");
                foreach (var slot in rows[r].Slots)
                {
                    if (slot.Panels.Count == 0) throw new ArgumentException($"page {p} row {r}: a slot with no cells");
                    foreach (var panel in slot.Panels.OfType<int>())
                    {
                        if (panel < 0) throw new ArgumentException($"page {p} row {r}: panel index {panel}: expected >= 0");
                        if (!seen.Add(panel)) throw new ArgumentException($"page {p} row {r}: panel {panel} is placed twice");
                    }
                }
            }
        }
    }

    private sealed class Geometry(ComicPageStyle style)
    {
        public ComicPageStyle Style { get; } = style;

        private double StripFraction => Style.Captions == CaptionPlacement.Below ? Style.CaptionStripFraction : 0;

        public int CellHeight(int side) => side + (StripFraction > 0 ? Math.Max(Style.MinCaptionStrip, (int)Math.Round(side * StripFraction)) : 0);

        /// <summary>The largest picture side at which n stacked cells fit into the height of one cell of <paramref name="side"/>.</summary>
        public int SlotSide(int n, int side)
        {
            if (n == 1) return side;
            int height = CellHeight(side), gutters = (n - 1) * Style.Gutter;
            int s = Math.Max(1, (int)((height - gutters) / (n * (1 + StripFraction))));
            while (s > 1 && n * CellHeight(s) + gutters > height) s--;
            while (n * CellHeight(s + 1) + gutters <= height) s++;
            if (n * CellHeight(s) + gutters > height)
                throw new ArgumentException($"{n} stacked panels do not fit beside a {side}-px panel with {Style.Gutter}-px gutters");
            return s;
        }

        public int RowWidth(PageRow row, int side) =>
            row.Slots.Sum(s => SlotSide(s.Panels.Count, side)) + (row.Slots.Count - 1) * Style.Gutter;

        public int LargestFitting(PageRow row, int width, int page, int rowIndex)
        {
            for (int side = Style.PanelSide - 1; side >= 1; side--)
                if (RowWidth(row, side) <= width) return side;
            throw new ArgumentException($"page {page} row {rowIndex}: {row.Slots.Count} slots do not fit the page width {width} px set by the first row");
        }

        public SKRectI CaptionArea(SKRectI frame, SKRectI image)
        {
            if (Style.Captions == CaptionPlacement.Below) return new SKRectI(frame.Left, image.Bottom, frame.Right, frame.Bottom);
            int side = image.Width;
            int bottom = image.Bottom - (int)Math.Round(side * Style.OverlayBottomFraction);
            int top = Math.Max(image.Top, bottom - (int)Math.Round(side * Style.OverlayMaxFraction));
            return new SKRectI(image.Left, top, image.Right, bottom);
        }
    }
}
