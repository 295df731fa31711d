using System.Text.Json.Nodes;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Notebooks;

[Collection(NotebookRuns.Collection)]
public class NotebookCommandTests
{
    private static string Notebook(string dir, params (string Source, string[] Tags)[] cells)
    {
        var array = new JsonArray();
        foreach (var (source, tags) in cells)
            array.Add(new JsonObject
            {
                ["cell_type"] = "code", ["execution_count"] = null, ["outputs"] = new JsonArray(), ["source"] = source,
                ["metadata"] = new JsonObject { ["tags"] = new JsonArray(tags.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()) },
            });
        var nb = new JsonObject
        {
            ["nbformat"] = 4, ["nbformat_minor"] = 5, ["cells"] = array,
            ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = "csharp" } } },
        };
        string path = Path.Combine(dir, "t.ipynb");
        File.WriteAllText(path, nb.ToJsonString());
        return path;
    }

    [Fact]
    public void FailingCellIsNamedAndLaterCellsDoNotRun()
    {
        string dir = TinyRuns.TempDir("nb-fail");
        string nb = Notebook(dir,
            ("var n = 2;\nstring label = \"a\";", ["parameters"]),
            ("Console.WriteLine($\"{label}{n * 21}\");", []),
            ("throw new InvalidOperationException(\"boom\");", []),
            ("Console.WriteLine(\"never\");", []));
        string output = Path.Combine(dir, "out.ipynb");

        var (code, _, stderr) = NotebookRuns.Difflab("notebook", "run", nb, "--set", "label=x y", "--output", output);

        Assert.Equal(1, code);
        Assert.Contains("cell 4 of 5 failed", stderr); // the injected parameters cell counts
        Assert.Contains("boom", stderr);
        var cells = JsonNode.Parse(File.ReadAllText(output))!["cells"]!.AsArray();
        Assert.Equal("x y42\n", cells[2]!["outputs"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("error", cells[3]!["outputs"]![0]!["output_type"]!.GetValue<string>());
        Assert.Empty(cells[4]!["outputs"]!.AsArray());
    }

    [Fact]
    public void UnknownParameterIsBadInput()
    {
        string dir = TinyRuns.TempDir("nb-param");
        string nb = Notebook(dir, ("var n = 2;", ["parameters"]));
        var (code, _, stderr) = NotebookRuns.Difflab("notebook", "run", nb, "--set", "m=3");
        Assert.Equal(2, code);
        Assert.Contains("declares no 'm'", stderr);
    }
}
