using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DiffusionLab.Core;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;

namespace DiffusionLab.Studies;

/// <summary>
/// The motion study (storydiffusion.md §4–§5.2 at our scale): two motion configs to train on one text-to-image base (with
/// the predictor; without it, the interpolated embeddings straight in), and the evaluation protocol: held-out people ×
/// keyframe pairs of increasing motion size (<see cref="KeyframePairs"/>) × seeds, every method (<see cref="MotionStudyMethod"/>)
/// on the same true keyframes and the same starting noise per seed, judged against the ground-truth clip CharacterWorld
/// renders. Read from <c>experiments/&lt;study&gt;/motion-study.json</c> at a named scale.
/// </summary>
public sealed record MotionStudySpec
{
    public const string FileName = "motion-study.json";

    public string Name { get; init; } = "motion-characterworld";
    public string Description { get; init; } = "";
    /// <summary>The motion config with the predictor (UsePredictor true), relative to the study folder.</summary>
    public string PredictorConfig { get; init; } = "motion.json";
    /// <summary>The same recipe without the predictor (UsePredictor false): the "no predictor" arm trains its own clip generator.</summary>
    public string NoPredictorConfig { get; init; } = "no-predictor.json";
    /// <summary>Held-out people: the first of the base world's held-out identities (the paper: ~1,000 WebVid videos, §5.2).</summary>
    public int People { get; init; } = 8;
    /// <summary>Motion sizes of the keyframe pairs, each person's image 0 moved by each (0 still … 1 the world's largest change).</summary>
    public double[] MotionSizes { get; init; } = [0.25, 0.5, 1.0];
    /// <summary>Sampling seeds: every (person, size) is drawn once per seed by every model method.</summary>
    public long[] Seeds { get; init; } = [0, 1];
    /// <summary>DDIM 50, CFG 7.5 (§4 inference, [P-B]).</summary>
    public ClipSampling Sampling { get; init; } = new();
    /// <summary>People shown in the sample sheets and GIFs (at the largest motion size).</summary>
    public int SamplePeople { get; init; } = 2;
    public Dictionary<string, MotionStudyScale> Scales { get; init; } = new();

    [JsonIgnore] public string Directory { get; init; } = "";
    [JsonIgnore] public string Scale { get; init; } = "full";
    [JsonIgnore] public MotionStudyScale ScaleOverrides => Scales.GetValueOrDefault(Scale) ?? new MotionStudyScale();

    /// <summary>Reads <c>directory/motion-study.json</c> at <paramref name="scale"/>; a missing file, unknown scale or key, or bad value is a ConfigException naming it.</summary>
    public static MotionStudySpec Load(string directory, string scale = "full")
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new ConfigException($"motion study '{directory}': no {FileName} in it");
        var root = StageConfigFile.Parse(File.ReadAllText(path), path);
        var scales = root["Scales"] is JsonObject s ? StageConfigFile.Read<Dictionary<string, MotionStudyScale>>(s, path + " (Scales)") : new();
        if (scale != "full" && !scales.ContainsKey(scale))
            throw new ConfigException($"motion study '{path}': scale '{scale}' unknown; expected one of {string.Join(", ", scales.Keys.Prepend("full").Distinct())}");
        foreach (var o in scales.GetValueOrDefault(scale)?.Study ?? [])
            ConfigOverrides.Apply(root, o, p => ConfigOverrides.PropertyType(typeof(MotionStudySpec), p));
        var spec = StageConfigFile.Read<MotionStudySpec>(root, path) with { Directory = Path.GetFullPath(directory), Scale = scale };
        var problems = spec.Problems();
        if (problems.Count > 0) throw new ConfigException($"motion study '{path}': {problems[0]}");
        return spec;
    }

    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) p.Add($"key 'Name': '{Name}', expected a folder name");
        foreach (var (key, file) in new[] { ("PredictorConfig", PredictorConfig), ("NoPredictorConfig", NoPredictorConfig) })
            if (!File.Exists(PathOf(file))) p.Add($"key '{key}': config '{PathOf(file)}' not found");
        if (People < 1) p.Add($"key 'People': {People}, expected at least 1");
        if (MotionSizes.Length == 0 || MotionSizes.Any(m => !(m >= 0 && m <= 1)) || MotionSizes.Distinct().Count() != MotionSizes.Length)
            p.Add($"key 'MotionSizes': [{string.Join(", ", MotionSizes)}], expected distinct sizes in [0, 1]");
        if (Seeds.Length == 0 || Seeds.Distinct().Count() != Seeds.Length) p.Add("key 'Seeds': expected at least one seed, all distinct");
        p.AddRange(Sampling.Problems().Select(x => "key " + x));
        if (SamplePeople < 0 || SamplePeople > People) p.Add($"key 'SamplePeople': {SamplePeople}, expected 0..People={People}");
        return p;
    }

    public string PathOf(string config) => Path.Combine(Directory, config);

    /// <summary>A motion config at this scale; <paramref name="baseCheckpoint"/> (a command-line path) replaces its BaseCheckpoint when given.</summary>
    public MotionConfig Config(string file, string? baseCheckpoint = null) =>
        MotionConfig.Load(PathOf(file), [.. ScaleOverrides.Motion, .. baseCheckpoint is null ? [] : new[] { $"BaseCheckpoint={baseCheckpoint}" }]);

    public string ToJson() => JsonSerializer.Serialize(this, TrainConfigLoader.JsonOptions);
}
