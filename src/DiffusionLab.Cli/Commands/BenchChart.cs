using System.CommandLine;
using System.Text.Json.Nodes;
using DiffusionLab.Imaging;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab bench chart FILE.jsonl --out PNG`: images/s against batch size from the summaries of `bench compare`, one
/// line per model and side (log scale): where a line still climbs with the batch the step is launch-bound (fixed costs
/// per step dominate), where it is flat it is compute-bound.
/// </summary>
internal static class BenchChart
{
    public static Command Definition()
    {
        var input = new Argument<string>("FILE.jsonl") { Description = "the JSON lines of `bench compare` (its summaries are drawn)" };
        var output = new Option<string>("--out") { HelpName = "FILE.png", Description = "the chart (default: FILE.png beside the input)" };
        var command = new Command("chart", "Images/s against batch size from `bench compare` summaries, one line per model and side (log scale)") { input, output };
        command.SetAction(parse => Run(parse.GetRequiredValue(input), parse.GetValue(output), parse.InvocationConfiguration.Output));
        return command;
    }

    public static int Run(string input, string? output, TextWriter stdout)
    {
        output ??= Path.ChangeExtension(input, ".png");
        if (!File.Exists(input)) throw new UsageException($"bench chart: '{input}': file not found");
        var rows = File.ReadLines(input).Where(l => l.TrimStart().StartsWith('{')).Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(r => r["bench"]?.GetValue<string>() == "compare-summary").ToList();
        if (rows.Count == 0) throw new UsageException($"bench chart: '{input}': no `bench compare` summaries");
        var series = new List<(string, IReadOnlyList<double>, IReadOnlyList<double>)>();
        // A model measured at one batch only is a point of the table, not a line.
        foreach (var model in rows.GroupBy(r => $"{r["model"]} {r["precision"]} {r["device"]}").Where(g => g.Select(r => r["batch"]!.GetValue<int>()).Distinct().Count() > 1))
            foreach (var (side, key) in new[] { ("ours", "ours_images_per_s"), ("official", "official_images_per_s") })
            {
                var points = model.OrderBy(r => r["batch"]!.GetValue<int>()).ToList();
                series.Add(($"{model.First()["model"]} {side}", points.Select(r => (double)r["batch"]!.GetValue<int>()).ToList(), points.Select(r => r[key]!.GetValue<double>()).ToList()));
            }
        LineChart.Save("training images/s against batch size", "batch", "images/s", series, output, logY: true);
        stdout.WriteLine($"wrote {output} ({series.Count} lines)");
        return 0;
    }
}
