using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace DiffusionLab.NotebookRunner;

/// <summary>
/// Runs the C# cells of a notebook in one .NET Interactive C# kernel, in order, and stores each cell's
/// outputs (stdout, stderr, display data, return values, errors) in nbformat shape. Stops at the first
/// failing cell: later cells depend on it, and papermill and nbconvert stop there too.
/// Cell output text is also echoed to <c>echo</c> as it arrives, so long cells (training) show progress.
/// </summary>
public sealed class NotebookExecutor(TextWriter echo)
{
    public async Task<NotebookRunResult> RunAsync(IpynbNotebook doc)
    {
        using var kernel = new CSharpKernel().UseKernelHelpers().UseValueSharing();
        kernel.UseNugetDirective((k, resolved) =>
        {
            k.AddAssemblyReferences(resolved.SelectMany(r => r.AssemblyPaths));
            return Task.CompletedTask;
        }, false);

        var total = Stopwatch.StartNew();
        int count = 0;
        var cells = doc.Cells;
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i] is not JsonObject cell || cell["cell_type"]?.GetValue<string>() != "code") continue;
            string source = IpynbNotebook.Source(cell);
            string title = Title(cell, source);
            if (doc.KernelOf(cell) is not ("csharp" or "C#"))
                return new NotebookRunResult(count, total.Elapsed.TotalSeconds, new FailedCell(i + 1, title, $"kernel '{doc.KernelOf(cell)}' is not supported (only C# cells run headless)"));
            var outputs = new JsonArray();
            cell["outputs"] = outputs;
            cell["execution_count"] = ++count;
            if (string.IsNullOrWhiteSpace(source)) continue;

            echo.WriteLine($"[cell {i + 1}/{cells.Count}] {title}");
            var clock = Stopwatch.StartNew();
            using var live = kernel.KernelEvents.Subscribe(e =>
            {
                if (e is StandardOutputValueProduced or StandardErrorValueProduced)
                    echo.Write(string.Concat(((DisplayEvent)e).FormattedValues.Select(f => f.Value)));
            });
            var result = await kernel.SendAsync(new SubmitCode(source));
            string? error = null;
            foreach (var e in result.Events)
            {
                switch (e)
                {
                    case StandardOutputValueProduced so: AppendStream(outputs, "stdout", Text(so)); break;
                    case StandardErrorValueProduced se: AppendStream(outputs, "stderr", Text(se)); break;
                    case ReturnValueProduced rv: outputs.Add(Display(rv, "execute_result", count)); break;
                    case DisplayEvent d: outputs.Add(Display(d, "display_data", null)); break;
                    case CommandFailed cf:
                        error = cf.Message;
                        outputs.Add(new JsonObject
                        {
                            ["output_type"] = "error",
                            ["ename"] = cf.Exception?.GetType().Name ?? "Error",
                            ["evalue"] = cf.Message,
                            ["traceback"] = new JsonArray(cf.Message.Split('\n').Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
                        });
                        break;
                }
            }
            echo.WriteLine($"[cell {i + 1}/{cells.Count}] {(error is null ? "ok" : "FAILED")} ({clock.Elapsed.TotalSeconds:F1} s)");
            if (error is not null) return new NotebookRunResult(count, total.Elapsed.TotalSeconds, new FailedCell(i + 1, title, error));
        }
        return new NotebookRunResult(count, total.Elapsed.TotalSeconds, null);
    }

    private static string Text(DisplayEvent e) => string.Concat(e.FormattedValues.Select(f => f.Value));

    private static void AppendStream(JsonArray outputs, string name, string text)
    {
        // Consecutive writes to one stream form one output, as Jupyter shows them.
        if (outputs.Count > 0 && outputs[^1] is JsonObject last && last["output_type"]?.GetValue<string>() == "stream" && last["name"]?.GetValue<string>() == name)
            last["text"] = last["text"]!.GetValue<string>() + text;
        else
            outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = name, ["text"] = text });
    }

    private static JsonObject Display(DisplayEvent e, string type, int? count)
    {
        var data = new JsonObject();
        foreach (var f in e.FormattedValues) data[f.MimeType] = f.Value;
        var output = new JsonObject { ["output_type"] = type, ["data"] = data, ["metadata"] = new JsonObject() };
        if (count is { } n) output["execution_count"] = n;
        return output;
    }

    private static string Title(JsonObject cell, string source)
    {
        string first = source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "(empty)";
        if (first.Length > 60) first = first[..57] + "...";
        return cell["id"] is JsonValue id ? $"id {id.GetValue<string>()}: {first}" : first;
    }
}
