using DiffusionLab.IO;

namespace DiffusionLab.Imaging;

/// <summary>Comic pages as PNGs, with the geometry and the style they were drawn with.</summary>
public sealed record RenderedComic(IReadOnlyList<ComicPage> Pages, IReadOnlyList<byte[]> Pngs, ComicPageStyle Style)
{
    /// <summary>Writes page i to <paramref name="directory"/>/<paramref name="prefix"/>-(i+1).png, atomically; returns the paths.</summary>
    public IReadOnlyList<string> Save(string directory, string prefix = "page")
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        for (int i = 0; i < Pngs.Count; i++)
        {
            string path = Path.Combine(directory, $"{prefix}-{i + 1}.png");
            AtomicFile.WriteAllBytes(path, Pngs[i]);
            paths.Add(path);
        }
        return paths;
    }
}
