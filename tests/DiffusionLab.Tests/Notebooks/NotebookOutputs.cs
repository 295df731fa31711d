using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DiffusionLab.Tests.Notebooks;

/// <summary>The outputs of an executed notebook, for assertions.</summary>
internal sealed class NotebookOutputs
{
    private NotebookOutputs(IReadOnlyList<JsonObject> cells) => Cells = cells;

    public IReadOnlyList<JsonObject> Cells { get; }

    public static NotebookOutputs Read(string path) =>
        new(JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray().Select(c => c!.AsObject()).ToList());

    private IEnumerable<JsonObject> Outputs(string? cellId = null) => Cells
        .Where(c => c["cell_type"]!.GetValue<string>() == "code" && (cellId is null || c["id"]?.GetValue<string>() == cellId))
        .SelectMany(c => c["outputs"]!.AsArray().Select(o => o!.AsObject()));

    public IReadOnlyList<string> Errors => Outputs().Where(o => o["output_type"]!.GetValue<string>() == "error")
        .Select(o => o["evalue"]?.ToString() ?? o.ToJsonString()).ToList();

    /// <summary>Decoded image/png outputs of a cell (or of all cells).</summary>
    public IReadOnlyList<byte[]> Pngs(string? cellId = null) => Outputs(cellId).Select(o => o["data"]).OfType<JsonObject>()
        .Where(d => d.ContainsKey("image/png")).Select(d => Convert.FromBase64String(d["image/png"]!.GetValue<string>())).ToList();

    /// <summary>text/html outputs of a cell (or of all cells).</summary>
    public IReadOnlyList<string> Html(string? cellId = null) => Outputs(cellId).Select(o => o["data"]).OfType<JsonObject>()
        .Where(d => d.ContainsKey("text/html")).Select(d => d["text/html"]!.GetValue<string>()).ToList();

    /// <summary>text/markdown outputs of a cell (or of all cells).</summary>
    public IReadOnlyList<string> Markdown(string? cellId = null) => Outputs(cellId).Select(o => o["data"]).OfType<JsonObject>()
        .Where(d => d.ContainsKey("text/markdown")).Select(d => d["text/markdown"]!.GetValue<string>()).ToList();

    public string Text(string cellId) => string.Concat(Outputs(cellId).Where(o => o["output_type"]!.GetValue<string>() == "stream").Select(o => o["text"]!.GetValue<string>()));

    /// <summary>
    /// Charts render offline: no script element of any output has a src (a CDN or otherwise), plotly.js is inlined
    /// at most once (the setup's loader), and, when asked, a Plotly.NET chart is there.
    /// </summary>
    public void AssertChartsOffline(string name, bool requireChart = true)
    {
        var html = Html();
        foreach (var h in html)
            Assert.False(Regex.IsMatch(h, "<script[^>]*\\bsrc\\s*=", RegexOptions.IgnoreCase), $"{name}: an output loads a script by src: {Regex.Match(h, "<script[^>]*>").Value}");
        Assert.DoesNotContain(html, h => h.Contains("cdn.plot.ly") || h.Contains("cdnjs"));
        int copies = html.Count(h => h.Contains("DecompressionStream"));
        Assert.True(copies <= 1, $"{name}: {copies} inline copies of plotly.js");
        if (requireChart)
        {
            Assert.Equal(1, copies);
            Assert.Contains(html, h => h.Contains("Plotly.newPlot"));
        }
    }
}
