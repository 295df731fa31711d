namespace DiffusionLab.Imaging;

/// <summary>What goes where on one comic page: rows top to bottom, each of slots holding panel indices.</summary>
public sealed record PagePlan(IReadOnlyList<PageRow> Rows)
{
    public PagePlan(params PageRow[] rows) : this((IReadOnlyList<PageRow>)rows) { }

    /// <summary>The panel indices in reading order: row by row, slot by slot, top to bottom in a slot; blanks left out.</summary>
    public IEnumerable<int> PanelsInReadingOrder =>
        Rows.SelectMany(r => r.Slots).SelectMany(s => s.Panels).OfType<int>();
}
