using System.IO.Compression;
using DiffusionLab.IO;

namespace DiffusionLab.Interactive;

/// <summary>
/// The one plotly.js of the repository, <c>results/assets/plotly.min.js</c> (4.1.2, MIT; provenance in
/// results/assets/README.md), embedded in the library. Pages under results/ load it by a relative script path;
/// a notebook inlines it once, in its setup cell's output (<see cref="InlineLoaderHtml"/>), and every chart
/// after it waits for that copy. Never a CDN.
/// </summary>
public static class PlotlyScript
{
    public const string Version = "4.1.2";

    /// <summary>The file name, in an <c>assets/</c> folder beside or above the pages that use it.</summary>
    public const string AssetPath = "assets/plotly.min.js";

    private const string ResourceName = "DiffusionLab.Interactive.plotly.min.js";

    private static readonly Lazy<byte[]> Script = new(() =>
    {
        using var stream = typeof(PlotlyScript).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from {typeof(PlotlyScript).Assembly.GetName().Name}");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    });

    private static readonly Lazy<string> GzipBase64 = new(() =>
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true)) gzip.Write(Script.Value);
        return Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
    });

    /// <summary>plotly.min.js, as vendored.</summary>
    public static ReadOnlySpan<byte> Bytes => Script.Value;

    /// <summary>
    /// One script element that loads plotly.js into the page (gzip + base64, about 2 MB instead of 4.8 MB;
    /// the browser un-gzips it with DecompressionStream). A notebook shows it once, in its setup cell.
    /// </summary>
    public static string InlineLoaderHtml() =>
        $$"""
        <script type="text/javascript">
        if (!window.Plotly && !window.difflabPlotlyLoading) {
          window.difflabPlotlyLoading = (async () => {
            const gz = Uint8Array.from(atob("{{GzipBase64.Value}}"), c => c.charCodeAt(0));
            const code = await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
            const script = document.createElement("script");
            script.textContent = code;
            document.head.appendChild(script);
          })();
        }
        </script>
        <div style="font-size:80%;color:#888">plotly.js {{Version}} for this notebook's charts: loaded from the library, offline.</div>
        """;

    /// <summary>
    /// The script path for a page written to <paramref name="pageDirectory"/>: the nearest
    /// <c>assets/plotly.min.js</c> in it or above it (results/assets/ for every page under results/), relative
    /// to the page; where there is none, the file is written beside the page first.
    /// </summary>
    public static string SharedAssetFor(string pageDirectory)
    {
        var page = new DirectoryInfo(Path.GetFullPath(pageDirectory));
        for (var dir = page; dir is not null; dir = dir.Parent)
        {
            var candidate = new FileInfo(Path.Combine(dir.FullName, AssetPath));
            if (candidate.Exists && candidate.Length == Script.Value.Length)
                return Path.GetRelativePath(page.FullName, candidate.FullName).Replace('\\', '/');
        }
        string path = Path.Combine(page.FullName, AssetPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, Script.Value);
        return AssetPath;
    }
}
