namespace DiffusionLab.Imaging;

/// <summary>The geometry of one comic page: its size and its cells in reading order.</summary>
public sealed record ComicPage(int Index, int Width, int Height, IReadOnlyList<PanelCell> Cells)
{
    /// <summary>The cells that show a panel (blank cells left out).</summary>
    public IEnumerable<PanelCell> PanelCells => Cells.Where(c => c.Panel is not null);
}
