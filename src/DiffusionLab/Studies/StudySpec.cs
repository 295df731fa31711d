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
    /// <summary>Further ladders of some runs against another run than the baseline (e.g. paper recipe against paper recipe).</summary>
    public StudyComparison[] Comparisons { get; init; } = [];
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
        foreach (var comparison in spec.Comparisons)
        {
            string? unknown = comparison.Runs.Prepend(comparison.Baseline).FirstOrDefault(r => spec.Runs.All(s => s.Name != r));
            if (unknown is not null || comparison.Runs.Length == 0)
                throw new ConfigException($"study '{path}': key 'Comparisons': '{comparison.Title}': {(unknown is null ? "no runs" : $"run '{unknown}' is not one of the study's")}; expected a baseline and runs among {string.Join(", ", spec.Runs.Select(r => r.Name))}");
        }
        foreach (var run in spec.Runs)
            if (!File.Exists(spec.ConfigPath(run))) throw new ConfigException($"study '{path}': run '{run.Name}': config '{spec.ConfigPath(run)}' not found");
        foreach (var run in spec.Runs.Where(r => r.Shares is not null))
            spec.SharedRun(run);
        return spec;
    }

    /// <summary>
    /// The other study's spec and run that <paramref name="run"/> shares (<see cref="StudyRun.Shares"/>), or null; a
    /// malformed or unknown reference is named.
    /// </summary>
    public (StudySpec Study, StudyRun Run)? SharedRun(StudyRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Shares is not { } shares) return null;
        string where = $"study '{Name}': run '{run.Name}': key 'Shares': '{shares}'";
        var parts = shares.Split('/');
        if (parts.Length != 2 || parts.Any(p => p.Length == 0) || parts[0] == Name)
            throw new ConfigException($"{where}: expected OTHER-STUDY/RUN, a run of another study in the same folder as this one");
        string otherDirectory = Path.Combine(Path.GetDirectoryName(Directory) ?? ".", parts[0]);
        if (!File.Exists(Path.Combine(otherDirectory, "study.json"))) throw new ConfigException($"{where}: no study '{otherDirectory}'");
        var other = Load(otherDirectory);
        var otherRun = other.Runs.FirstOrDefault(r => r.Name == parts[1])
            ?? throw new ConfigException($"{where}: study '{other.Name}' has no run '{parts[1]}'; expected one of {string.Join(", ", other.Runs.Select(r => r.Name))}");
        if (otherRun.Shares is not null) throw new ConfigException($"{where}: that run shares '{otherRun.Shares}' itself; point at the study that trains it");
        return (other, otherRun);
    }

    /// <summary>
    /// Where a run's folder for a seed and scale lies under <paramref name="runsRoot"/>: this study's own, or, for a
    /// run that shares another study's (<see cref="StudyRun.Shares"/>), that study's, after checking the two resolve
    /// to the same config.
    /// </summary>
    public string RunFolder(string runsRoot, StudyRun run, long seed, string scale)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (SharedRun(run) is not var (other, otherRun)) return Path.Combine(runsRoot, Name, scale, $"{run.Name}-seed{seed}");
        var mine = TrainConfigLoader.ToJson(Config(run, seed, scale));
        // A scale only this study names (a notebook's own) applies to the shared run as here.
        if (!other.Scales.ContainsKey(scale)) other = other.WithScale(scale, ScaleOverrides(scale));
        var theirs = TrainConfigLoader.ToJson(other.Config(otherRun, seed, scale));
        if (RunConfigMismatch.FirstDifference(theirs, mine) is { } difference)
            throw new ConfigException($"study '{Name}': run '{run.Name}' shares '{run.Shares}', but at seed {seed}, scale '{scale}' their configs differ ({difference.Replace(" in the run, ", " there, ").Replace(" now", " here")}); expected the same training");
        return Path.Combine(runsRoot, other.Name, scale, $"{otherRun.Name}-seed{seed}");
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
    /// <summary>What tables, figures and notebooks call the run: its label, or its name where it has none.</summary>
    [JsonIgnore]
    public string DisplayLabel => string.IsNullOrEmpty(Label) ? Name : Label;
    public string Config { get; init; } = "";
    /// <summary>Extra overrides on top of the config file (e.g. an ablation switch).</summary>
    public string[] Set { get; init; } = [];
    /// <summary>The paper's claimed speed-up over the baseline in training steps, if it makes one.</summary>
    public double? ClaimedSpeedup { get; init; }
    /// <summary>The paper's number for this arm, as text with its source (e.g. "FID 53.56 without rel. bias, mdt.md §10").</summary>
    public string? Claim { get; init; }
    /// <summary>
    /// "STUDY/RUN": this arm is the same training as a run of another study beside this one (the same resolved config
    /// at every seed and scale, checked), so both studies train and read that study's run folders, once.
    /// </summary>
    public string? Shares { get; init; }
}
