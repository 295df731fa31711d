using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DiffusionLab.Core;
using DiffusionLab.Runs;

namespace DiffusionLab.Studies;

/// <summary>
/// A study: several training configs, each trained with several seeds, evaluated every K steps and
/// compared. Read from <c>experiments/&lt;study&gt;/study.json</c>; config paths are relative to it.
/// </summary>
public sealed record StudySpec
{
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    public long[] Seeds { get; init; } = [0, 1];
    /// <summary>The run whose final FD the others race to ("steps to reach DiT's final FD").</summary>
    public string Baseline { get; init; } = "";
    public StudyRun[] Runs { get; init; } = [];
    /// <summary>Named sets of --set overrides; "full" is the committed scale, "smoke" a quick check.</summary>
    public Dictionary<string, string[]> Scales { get; init; } = new();

    [JsonIgnore] public string Directory { get; init; } = "";

    public static StudySpec Load(string studyDirectory)
    {
        string path = Path.Combine(studyDirectory, "study.json");
        if (!File.Exists(path)) throw new ConfigException($"study '{studyDirectory}': no study.json in it");
        StudySpec spec;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            spec = node.Deserialize<StudySpec>(TrainConfigLoader.JsonOptions) ?? throw new ConfigException($"study '{path}': empty");
        }
        catch (JsonException e) { throw new ConfigException($"study '{path}': {e.Message.Split('\n')[0]}"); }
        spec = spec with { Directory = Path.GetFullPath(studyDirectory) };
        if (spec.Runs.Length == 0) throw new ConfigException($"study '{path}': key 'Runs': expected at least one run");
        if (spec.Seeds.Length == 0) throw new ConfigException($"study '{path}': key 'Seeds': expected at least one seed");
        if (spec.Runs.Select(r => r.Name).Distinct().Count() != spec.Runs.Length) throw new ConfigException($"study '{path}': key 'Runs': run names must be unique");
        if (!spec.Runs.Any(r => r.Name == spec.Baseline)) throw new ConfigException($"study '{path}': key 'Baseline': '{spec.Baseline}' is not one of the runs ({string.Join(", ", spec.Runs.Select(r => r.Name))})");
        foreach (var run in spec.Runs)
            if (!File.Exists(spec.ConfigPath(run))) throw new ConfigException($"study '{path}': run '{run.Name}': config '{spec.ConfigPath(run)}' not found");
        return spec;
    }

    public string ConfigPath(StudyRun run) => Path.Combine(Directory, run.Config);

    /// <summary>The overrides of a scale; an unknown scale names the known ones.</summary>
    public IReadOnlyList<string> ScaleOverrides(string scale) =>
        Scales.TryGetValue(scale, out var o) ? o
            : throw new ConfigException($"study '{Name}': scale '{scale}' unknown; expected one of {string.Join(", ", Scales.Keys)}");

    /// <summary>
    /// The same study restricted to some of its runs and seeds (a short live re-run in a notebook);
    /// the baseline must stay among them, since the speed-ups are measured against it.
    /// </summary>
    public StudySpec Select(IReadOnlyCollection<string> runs, IReadOnlyCollection<long> seeds)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(seeds);
        foreach (var name in runs)
            if (!Runs.Any(r => r.Name == name)) throw new ConfigException($"study '{Name}': run '{name}' unknown; expected one of {string.Join(", ", Runs.Select(r => r.Name))}");
        if (!runs.Contains(Baseline)) throw new ConfigException($"study '{Name}': the selection must keep the baseline run '{Baseline}'");
        if (seeds.Count == 0) throw new ConfigException($"study '{Name}': expected at least one seed");
        return this with { Runs = Runs.Where(r => runs.Contains(r.Name)).ToArray(), Seeds = seeds.ToArray() };
    }

    /// <summary>The same study with one more named scale (e.g. a notebook's own step budget).</summary>
    public StudySpec WithScale(string scale, IEnumerable<string> overrides)
    {
        ArgumentException.ThrowIfNullOrEmpty(scale);
        ArgumentNullException.ThrowIfNull(overrides);
        return this with { Scales = new Dictionary<string, string[]>(Scales) { [scale] = overrides.ToArray() } };
    }

    /// <summary>The resolved config of one run at one seed and scale.</summary>
    public TrainConfig Config(StudyRun run, long seed, string scale) =>
        TrainConfigLoader.Load(ConfigPath(run), [.. run.Set, .. ScaleOverrides(scale), $"Training.Seed={seed}"]);
}

/// <summary>One arm of a study.</summary>
public sealed record StudyRun
{
    public string Name { get; init; } = "";
    public string Label { get; init; } = "";
    public string Config { get; init; } = "";
    /// <summary>Extra overrides on top of the config file (e.g. an ablation switch).</summary>
    public string[] Set { get; init; } = [];
    /// <summary>The paper's claimed speed-up over the baseline in training steps, if it makes one.</summary>
    public double? ClaimedSpeedup { get; init; }
    /// <summary>The paper's number for this arm, as text with its source (e.g. "FID 53.56 without rel. bias, mdt.md §10").</summary>
    public string? Claim { get; init; }
}
