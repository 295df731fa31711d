using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiffusionLab.NotebookRunner;

/// <summary>
/// A Jupyter notebook (nbformat 4) kept as JSON, so everything the runner does not touch (metadata, tags,
/// markdown, cell ids) is written back unchanged; code cells get fresh outputs and execution counts.
/// </summary>
public sealed class IpynbNotebook
{
    private readonly JsonObject _root;

    private IpynbNotebook(JsonObject root) => _root = root;

    public JsonArray Cells => _root["cells"] as JsonArray ?? throw new FormatException("no \"cells\" array");

    /// <summary>The kernel a cell runs in: polyglot/dotnet_interactive cell metadata, else the notebook default.</summary>
    public string KernelOf(JsonObject cell)
    {
        var meta = cell["metadata"];
        return meta?["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
               ?? meta?["dotnet_interactive"]?["language"]?.GetValue<string>()
               ?? _root["metadata"]?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>()
               ?? "csharp";
    }

    public static IpynbNotebook Parse(string json)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw new FormatException($"not valid JSON ({e.Message.Split('\n')[0]})"); }
        if (root is not JsonObject obj || obj["cells"] is not JsonArray)
            throw new FormatException("not a Jupyter notebook (expected an object with a \"cells\" array)");
        if (obj["nbformat"]?.GetValue<int>() is not 4) throw new FormatException("expected nbformat 4");
        return new IpynbNotebook(obj);
    }

    public static string Source(JsonObject cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    public static bool HasTag(JsonObject cell, string tag) =>
        cell["metadata"]?["tags"] is JsonArray tags && tags.Any(t => t?.GetValue<string>() == tag);

    /// <summary>Inserts the overrides as a new code cell after the cell tagged "parameters" (as papermill does).</summary>
    public void InjectParameters(NotebookParameters parameters)
    {
        var cells = Cells;
        int index = -1;
        for (int i = 0; i < cells.Count; i++)
            if (cells[i] is JsonObject c && HasTag(c, "parameters")) { index = i; break; }
        if (index < 0) throw new FormatException("--set given, but no cell is tagged \"parameters\"");
        var source = parameters.ToCSharp(Source((JsonObject)cells[index]!));
        var injected = new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["id"] = "injected-parameters",
            ["metadata"] = new JsonObject
            {
                ["tags"] = new JsonArray("injected-parameters"),
                ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
                ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
            },
            ["outputs"] = new JsonArray(),
            ["source"] = source,
        };
        cells.Insert(index + 1, injected);
    }

    public string ToJson() => _root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
