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
/// The C# kernel sits in a composite kernel with <c>#!import</c>, as in Jupyter and dotnet-repl, so a notebook's
/// first cell can import the shared setup (notebooks/_setup.dib). A displayed value that is updated later (the
/// progress display) keeps one output, holding its last value, as Jupyter stores it.
/// Cell output text is also echoed to <c>echo</c> as it arrives, and so is the plain text of updated displays
/// (at most every <see cref="EchoInterval"/> each), so long cells (training) show progress.
/// </summary>
public sealed class NotebookExecutor(TextWriter echo)
{
    public static readonly TimeSpan EchoInterval = TimeSpan.FromSeconds(10);

    public async Task<NotebookRunResult> RunAsync(IpynbNotebook doc)
    {
        var csharp = new CSharpKernel().UseKernelHelpers().UseValueSharing();
        csharp.UseNugetDirective((k, resolved) =>
        {
            k.AddAssemblyReferences(resolved.SelectMany(r => r.AssemblyPaths));
            return Task.CompletedTask;
        }, false);
        using var kernel = new CompositeKernel { csharp };
        kernel.DefaultKernelName = csharp.Name;
        kernel.UseImportMagicCommand();

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
            var echoed = new Dictionary<string, (TimeSpan At, string Text)>();
            // Every event of the cell, its imported cells' too (#!import runs them as child commands, whose events
            // are not in the parent's result).
            var events = new List<KernelEvent>();
            var seen = new HashSet<KernelEvent>(ReferenceEqualityComparer.Instance);
            using var live = kernel.KernelEvents.Subscribe(e =>
            {
                lock (events)
                    if (seen.Add(e)) events.Add(e);
                if (e is StandardOutputValueProduced or StandardErrorValueProduced)
                    echo.Write(string.Concat(((DisplayEvent)e).FormattedValues.Select(f => f.Value)));
                else if (e is DisplayedValueUpdated { ValueId: { } id } update && update.FormattedValues.FirstOrDefault(f => f.MimeType == "text/plain") is { } plain
                         && (!echoed.TryGetValue(id, out var last) || clock.Elapsed - last.At >= EchoInterval))
                {
                    echoed[id] = (clock.Elapsed, plain.Value);
                    echo.WriteLine(plain.Value);
                }
            });
            var result = await kernel.SendAsync(new SubmitCode(source, csharp.Name));
            string? error = null;
            var displayed = new Dictionary<string, JsonObject>();
            List<KernelEvent> cellEvents;
            lock (events) cellEvents = events.Concat(result.Events.Where(seen.Add)).ToList();
            foreach (var e in cellEvents)
            {
                switch (e)
                {
                    case StandardOutputValueProduced so: AppendStream(outputs, "stdout", Text(so)); break;
                    case StandardErrorValueProduced se: AppendStream(outputs, "stderr", Text(se)); break;
                    case ReturnValueProduced rv: outputs.Add(Display(rv, "execute_result", count)); break;
                    case DisplayedValueUpdated { ValueId: { } id } update when displayed.TryGetValue(id, out var shown):
                        shown["data"] = Display(update, "display_data", null)["data"]!.DeepClone();
                        break;
                    case DisplayedValueProduced { ValueId: { } id } produced:
                        outputs.Add(displayed[id] = Display(produced, "display_data", null));
                        break;
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
            // The last state of each echoed display, when the rate limit held it back.
            foreach (var (id, (_, text)) in echoed)
                if (displayed.TryGetValue(id, out var final) && final["data"]?["text/plain"]?.GetValue<string>() is { } last && last != text)
                    echo.WriteLine(last);
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
