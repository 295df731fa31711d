using System.Text.Encodings.Web;
using System.Text.Json;
using DiffusionLab.Core;
using DiffusionLab.IO;
using DiffusionLab.Runs;

namespace DiffusionLab.Studies;

/// <summary>
/// Where one run × seed of a study report was measured: the command that trained and evaluated it, the revision, the
/// device and the date, as that report's provenance stated them. A report lists them in its sources.json, so a later
/// report that carries the run over (<see cref="EarlierStudyReport"/>) still says where each number came from.
/// </summary>
public sealed record StudyRunSource(string Run, long Seed, string Command, string GitRevision, string Device, string Date)
{
    public const string FileName = "sources.json";

    // Commands quote and backtick: written as typed, not as \u0060, so the file reads as the README does.
    private static readonly JsonSerializerOptions Json = new(TrainConfigLoader.JsonOptions) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static StudyRunSource Of(string run, long seed, StudyProvenance p) =>
        new(run, seed, p.Command, p.GitRevision, p.Device, p.DateUtc.ToString("yyyy-MM-dd HH:mm") + " UTC");

    public static void Write(string directory, IEnumerable<StudyRunSource> sources) =>
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(sources.ToList(), Json));

    /// <summary>
    /// The sources of the report in <paramref name="directory"/>: its sources.json, or for a report written before there
    /// was one, its README's provenance lines (command, git revision, device, date) for every run × seed of <paramref name="runs"/>.
    /// </summary>
    public static IReadOnlyList<StudyRunSource> Read(string directory, IEnumerable<(string Run, long Seed)> runs)
    {
        string json = Path.Combine(directory, FileName);
        if (File.Exists(json))
        {
            try { return JsonSerializer.Deserialize<List<StudyRunSource>>(File.ReadAllText(json), Json) ?? []; }
            catch (JsonException e) { throw new ConfigException($"study report sources '{json}': not a list of run sources ({e.Message})"); }
        }
        string readme = Path.Combine(directory, "README.md");
        if (!File.Exists(readme)) throw new ConfigException($"earlier study report '{directory}': neither {FileName} nor README.md found; expected a report written by `difflab study`");
        var lines = File.ReadAllLines(readme);
        string Line(string prefix) => lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..].Trim()
            ?? throw new ConfigException($"earlier study report '{readme}': no '{prefix.Trim()}' line; expected the provenance lines a `difflab study` report writes");
        string command = Line("- command: ").Trim('`');
        string revision = Line("- git revision: "), device = Line("- device: ");
        string date = Line("- date: ").Split(';')[0];
        return runs.Select(r => new StudyRunSource(r.Run, r.Seed, command, revision, device, date)).ToList();
    }
}
