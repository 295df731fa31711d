using DiffusionLab.Imaging;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// Which panel goes where, for StoryDiffusion's two layouts (storydiffusion.md §3.3, [UT]
/// distribute_images2 / get_row_image2 / get_comic_4panel); the pixels are <see cref="ComicPageLayout"/>'s.
/// Classic: group sizes 4 while there are at most 8 panels, else 4, 6, 4, 6, …; a full group of 4
/// becomes the slots [1,1,2], of 6 [1,1,2,2], shuffled with a generator seeded by the seed (the
/// official code uses the unseeded global random). Panels go in reading order: slot by slot, the
/// upper of a stacked pair first. Where the official code pads the last group to its nominal size
/// with a pad picture, the last group here keeps only its own panels, in the slots whose width comes
/// closest to a row of 4 (2½ panel widths): 1 → [1], 2 → [1,1], 3 → [1,1,1] (shrunk to fit),
/// 5 → [1,2,2]; 4 and 6 get the official slots by the same rule. Four-panel:
/// pages of two rows of two; the last page keeps its 2×2 size with blank cells where the official
/// code pastes the pad picture.
/// </summary>
public static class StoryComicLayout
{
    /// <summary>
    /// The page plans for <paramref name="panelCount"/> panels. <paramref name="rowsPerPage"/> splits a
    /// classic comic into pages of at most that many rows; null keeps the official single page.
    /// </summary>
    public static IReadOnlyList<PagePlan> Plan(ComicLayoutKind layout, int panelCount, int seed = 0, int? rowsPerPage = null)
    {
        if (panelCount < 1) throw new ArgumentOutOfRangeException(nameof(panelCount), $"panelCount {panelCount}: expected >= 1");
        if (rowsPerPage is < 1) throw new ArgumentOutOfRangeException(nameof(rowsPerPage), $"rowsPerPage {rowsPerPage}: expected >= 1 or null (one page)");
        return layout switch
        {
            ComicLayoutKind.Classic => Classic(panelCount, seed, rowsPerPage),
            ComicLayoutKind.FourPanel => FourPanel(panelCount),
            _ => throw new ArgumentOutOfRangeException(nameof(layout), $"layout {layout}: expected Classic or FourPanel"),
        };
    }

    /// <summary>The classic group sizes: 4s up to 8 panels, else alternating 4 and 6; the last group holds what is left.</summary>
    public static IReadOnlyList<int> ClassicGroups(int panelCount)
    {
        int[] nominal = panelCount <= 8 ? [4] : [4, 6];
        var groups = new List<int>();
        for (int left = panelCount, i = 0; left > 0; i++)
        {
            int size = Math.Min(left, nominal[i % nominal.Length]);
            groups.Add(size);
            left -= size;
        }
        return groups;
    }

    /// <summary>
    /// How many stacked pairs a row of <paramref name="panels"/> gets: the count whose row width
    /// (about panels − 1½·pairs panel widths) is nearest to a [1,1,2] row's 2½, ties to fewer pairs.
    /// </summary>
    public static int StackedPairs(int panels)
    {
        int best = 0;
        for (int pairs = 1; 2 * pairs <= panels; pairs++)
            if (Math.Abs(panels - 1.5 * pairs - 2.5) < Math.Abs(panels - 1.5 * best - 2.5)) best = pairs;
        return best;
    }

    private static IReadOnlyList<PagePlan> Classic(int panelCount, int seed, int? rowsPerPage)
    {
        var random = new SplitMix(seed);
        var rows = new List<PageRow>();
        int next = 0;
        foreach (int size in ClassicGroups(panelCount))
        {
            int pairs = StackedPairs(size);
            var kinds = Enumerable.Repeat(1, size - 2 * pairs).Concat(Enumerable.Repeat(2, pairs)).ToArray();
            random.Shuffle(kinds);
            var slots = new List<PageSlot>();
            foreach (int kind in kinds)
            {
                slots.Add(kind == 1 ? PageSlot.Single(next) : PageSlot.Stacked(next, next + 1));
                next += kind;
            }
            rows.Add(new PageRow(slots));
        }
        int perPage = rowsPerPage ?? rows.Count;
        return rows.Chunk(perPage).Select(chunk => new PagePlan(chunk)).ToArray();
    }

    private static IReadOnlyList<PagePlan> FourPanel(int panelCount)
    {
        var pages = new List<PagePlan>();
        for (int first = 0; first < panelCount; first += 4)
        {
            PageSlot Cell(int i) => PageSlot.Single(first + i < panelCount ? first + i : null);
            pages.Add(new PagePlan(new PageRow(Cell(0), Cell(1)), new PageRow(Cell(2), Cell(3))));
        }
        return pages;
    }

    /// <summary>SplitMix64 (Steele et al. 2014): the shuffle depends on the seed alone, on any runtime.</summary>
    private struct SplitMix(long seed)
    {
        private ulong _state = (ulong)seed;

        private ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Fisher–Yates.</summary>
        public void Shuffle(int[] items)
        {
            for (int i = items.Length - 1; i > 0; i--)
            {
                int j = (int)(Next() % (ulong)(i + 1));
                (items[i], items[j]) = (items[j], items[i]);
            }
        }
    }
}
