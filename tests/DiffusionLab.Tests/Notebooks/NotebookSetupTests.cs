using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DiffusionLab.Tests.Notebooks;

/// <summary>Static checks of the notebooks and of the committed HTML: one setup, one plotly.js, no CDN.</summary>
public class NotebookSetupTests
{
    private static readonly string Root = NotebookRuns.RepositoryRoot();

    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(Root, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    private static List<string> CodeCells(string file) =>
        JsonNode.Parse(File.ReadAllText(file))!["cells"]!.AsArray()
            .Where(c => c!["cell_type"]!.GetValue<string>() == "code")
            .Select(c => c!["source"] is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : c["source"]!.GetValue<string>())
            .ToList();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void EachNotebookImportsTheOneSetupRightAfterItsParameters(string notebook)
    {
        var cells = CodeCells(Path.Combine(Root, "notebooks", notebook));
        Assert.Contains("// Parameters", cells[0]);
        Assert.Equal("#!import _setup.dib", cells[1].Trim());
        foreach (var cell in cells.Skip(2))
        {
            Assert.DoesNotContain("#!import", cell);
            Assert.DoesNotContain("#r ", cell); // the library is referenced once, by the setup
            Assert.DoesNotContain("build/nblib", cell); // nor built
            Assert.DoesNotContain("NotebookFormatters.Register", cell);
        }
    }

    [Fact]
    public void TheSetupBuildsReferencesAndRegistersEverythingInCellsOfItsOwn()
    {
        string setup = File.ReadAllText(Path.Combine(Root, "notebooks", "_setup.dib"));
        var cells = setup.Split("#!csharp").Skip(1).ToList();
        Assert.Equal(3, cells.Count); // the build must finish before the cell that #r's its output compiles
        Assert.Contains("dotnet", cells[0]);
        Assert.Contains("build/nblib", cells[0]);
        Assert.Contains("FSharp.Core", cells[1]);
        Assert.Contains("#r \"../build/nblib/DiffusionLab.dll\"", cells[2]);
        Assert.Contains("NotebookFormatters.Register()", cells[2]);
        Assert.Contains("ProgressHost.Register(", cells[2]);
        Assert.Contains("PlotlyScript.InlineLoaderHtml()", cells[2]);
    }

    /// <summary>Script elements with a src: a results page may load only the shared asset, by a relative path.</summary>
    private static IEnumerable<string> ScriptSources(string html) =>
        Regex.Matches(html, "<script[^>]*\\bsrc\\s*=\\s*[\"']?([^\"' >]+)", RegexOptions.IgnoreCase).Select(m => m.Groups[1].Value);

    [Fact]
    public void EveryCommittedResultsPageLoadsTheOneSharedPlotlyJs()
    {
        string results = Path.Combine(Root, "results");
        var pages = Directory.GetFiles(results, "*.html", SearchOption.AllDirectories).Where(p => File.ReadAllText(p).Contains("Plotly.newPlot")).ToList();
        Assert.NotEmpty(pages);
        foreach (var page in pages)
        {
            string html = File.ReadAllText(page);
            var sources = ScriptSources(html).ToList();
            Assert.True(sources.Count == 1, $"{page}: script sources {string.Join(", ", sources)}");
            Assert.DoesNotContain("cdn", sources[0], StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("://", sources[0]);
            Assert.Equal(Path.GetFullPath(Path.Combine(results, "assets", "plotly.min.js")), Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, sources[0])));
            Assert.True(html.Length < 200_000, $"{page}: {html.Length} characters; plotly.js must not be embedded");
        }
    }

    [Fact]
    public void CommittedExecutedNotebooksHaveNoCdnScriptAndAtMostOnePlotlyCopy()
    {
        var executed = Directory.GetFiles(Path.Combine(Root, "results", "notebooks"), "*.ipynb");
        Assert.NotEmpty(executed);
        foreach (var file in executed) NotebookOutputs.Read(file).AssertChartsOffline(file, requireChart: false);
    }
}
