using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DiffusionLab.Core;
using DiffusionLab.Data.World;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;

namespace DiffusionLab.Studies;

/// <summary>
/// The PhotoMaker study (photomaker.md §4 at our scale): which PhotoMaker variants to train, the DreamBooth baseline,
/// and the evaluation protocol on held-out people: prompts × seeds × people with the same references for every method,
/// plus the paper's side experiments (the 1→4 reference curve, degraded references, identity mixing, DreamBooth's
/// tuning steps). Read from <c>experiments/&lt;study&gt;/photomaker-study.json</c> by <see cref="Load"/>, at a named scale;
/// unknown keys and out-of-range values are ConfigExceptions naming the key. Defaults are the paper's protocol where it
/// gives one, scaled to 2 CPU cores, with the source beside each number.
/// </summary>
public sealed record PhotoMakerStudySpec
{
    public const string FileName = "photomaker-study.json";

    public string Name { get; init; } = "photomaker-characterworld";
    public string Description { get; init; } = "";
    /// <summary>The PhotoMaker configs to train; exactly one must be PhotoMaker itself (stacked ID tokens from other images of the person).</summary>
    public PhotoMakerStudyVariant[] Variants { get; init; } =
    [
        new() { Name = "stacked", Label = "PhotoMaker (stacked)", Config = "photomaker.json" },
        new() { Name = "average", Label = "average (Tab. 2a)", Config = "average.json" },
        new() { Name = "single-image", Label = "single image (Tab. 2b)", Config = "single-image.json" },
    ];
    /// <summary>The DreamBooth config ("Stage": "dreambooth"), tuned once per person (test-time fine-tuning baseline, §6).</summary>
    public string DreamBooth { get; init; } = "dreambooth.json";

    /// <summary>Held-out people evaluated: the first of the base world's held-out identities (paper: 25 IDs, §4.1).</summary>
    public int People { get; init; } = 10;
    /// <summary>The prompts, each with every person's class word and the trigger (paper: 40 prompts over 6 factors, §4.1).</summary>
    public PhotoMakerStudyPrompt[] Prompts { get; init; } =
    [
        new() { Headwear = Headwear.Crown, Expression = Expression.Smiling, Clothing = ClothingColor.Red, Background = BackgroundScene.Beach },
        new() { Headwear = Headwear.PartyHat, Expression = Expression.Surprised, Clothing = ClothingColor.Blue, Background = BackgroundScene.City },
        new() { Headwear = Headwear.TopHat, Expression = Expression.Sad, Clothing = ClothingColor.Yellow, Background = BackgroundScene.Forest },
        new() { Headwear = Headwear.Headphones, Expression = Expression.Angry, Clothing = ClothingColor.Green, Background = BackgroundScene.NightSky },
        new() { Headwear = Headwear.None, Expression = Expression.Neutral, Clothing = ClothingColor.Purple, Background = BackgroundScene.Room },
        new() { Headwear = Headwear.Beanie, Expression = Expression.Smiling, Clothing = ClothingColor.Black, Background = BackgroundScene.Plain },
    ];
    /// <summary>Use only the first K prompts (a smaller scale); null = all.</summary>
    public int? PromptLimit { get; init; }
    /// <summary>Sampling seeds: each (method, person, prompt) is generated once per seed (paper: 4 samples, §4.1).</summary>
    public long[] Seeds { get; init; } = [0, 1];
    /// <summary>Reference images per person (paper: 4 per ID, §4.1), rendered images of the person drawn by <see cref="ReferenceSeed"/>.</summary>
    public int References { get; init; } = 4;
    public long ReferenceSeed { get; init; } = 0;
    /// <summary>DDIM 50, CFG 5, style strength 20 % (§3.1, §3.2); DreamBooth and the text-only floor use the same steps and guidance.</summary>
    public PhotoMakerSampling Sampling { get; init; } = new();

    /// <summary>How many of the (used) prompts the side experiments take; null = all.</summary>
    public int? ExtraPrompts { get; init; }
    /// <summary>Reference counts of the 1→4 curve (PAPv1 Fig. 7–8): the first N of each person's references.</summary>
    public int[] ReferenceCurve { get; init; } = [1, 2, 3, 4];
    /// <summary>Damaged references against clean ones; the strong end of what training draws (<see cref="ImageDegradation.Preset"/>).</summary>
    public Dictionary<string, ImageDegradation> Degradations { get; init; } = new()
    {
        ["blur"] = new ImageDegradation(BlurSigma: 1.5),
        ["lowres"] = new ImageDegradation(DownsampleFactor: 4),
    };
    /// <summary>Coefficients on person A's ID tokens, B at 1.0 (PAPv1 Fig. 11, §3.3).</summary>
    public double[] MixWeights { get; init; } = [0.1, 0.5, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0];
    /// <summary>Pairs of held-out people mixed: A is each of the first MixPairs people, B the next held-out person with A's class word.</summary>
    public int MixPairs { get; init; } = 2;
    /// <summary>DreamBooth steps (below its Steps) at which the tuned copy is also evaluated on the side prompts; its final step is the main evaluation.</summary>
    public int[] DreamBoothCheckpoints { get; init; } = [100, 200];
    /// <summary>People shown in the sample sheets (references → one generation per prompt).</summary>
    public int SamplePeople { get; init; } = 3;
    /// <summary>FD reference: images 0..K−1 of every held-out identity of the base world (the t2i evaluation's 10).</summary>
    public int FdReferenceImagesPerIdentity { get; init; } = 10;

    /// <summary>Named sizes; "full" is the spec as written.</summary>
    public Dictionary<string, PhotoMakerStudyScale> Scales { get; init; } = new();

    /// <summary>The folder the spec was read from (config paths are relative to it).</summary>
    [JsonIgnore] public string Directory { get; init; } = "";
    /// <summary>The scale it was read at.</summary>
    [JsonIgnore] public string Scale { get; init; } = "full";

    /// <summary>The prompts in use (<see cref="PromptLimit"/> applied).</summary>
    [JsonIgnore] public IReadOnlyList<PhotoMakerStudyPrompt> UsedPrompts => Prompts.Take(PromptLimit ?? Prompts.Length).ToArray();
    /// <summary>The number of (used) prompts the side experiments take.</summary>
    [JsonIgnore] public int SidePromptCount => Math.Min(ExtraPrompts ?? int.MaxValue, UsedPrompts.Count);
    [JsonIgnore] public PhotoMakerStudyScale ScaleOverrides => Scales.GetValueOrDefault(Scale) ?? new PhotoMakerStudyScale();

    /// <summary>
    /// Reads <c>directory/photomaker-study.json</c> at <paramref name="scale"/> (its Study overrides applied before
    /// reading); a missing file, unknown scale, unknown key, wrong type or out-of-range value is a ConfigException.
    /// </summary>
    public static PhotoMakerStudySpec Load(string directory, string scale = "full")
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new ConfigException($"PhotoMaker study '{directory}': no {FileName} in it");
        var root = StageConfigFile.Parse(File.ReadAllText(path), path);
        var scales = root["Scales"] is JsonObject s ? StageConfigFile.Read<Dictionary<string, PhotoMakerStudyScale>>(s, path + " (Scales)") : new();
        if (scale != "full" && !scales.ContainsKey(scale))
            throw new ConfigException($"PhotoMaker study '{path}': scale '{scale}' unknown; expected one of {string.Join(", ", scales.Keys.Prepend("full").Distinct())}");
        foreach (var o in scales.GetValueOrDefault(scale)?.Study ?? [])
            ConfigOverrides.Apply(root, o, p => ConfigOverrides.PropertyType(typeof(PhotoMakerStudySpec), p));
        var spec = StageConfigFile.Read<PhotoMakerStudySpec>(root, path) with { Directory = Path.GetFullPath(directory), Scale = scale };
        var problems = spec.Problems();
        if (problems.Count > 0) throw new ConfigException($"PhotoMaker study '{path}': {problems[0]}");
        return spec;
    }

    /// <summary>Problems with the spec, each naming the key; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) p.Add($"key 'Name': '{Name}', expected a folder name");
        if (Variants.Length == 0) p.Add("key 'Variants': expected at least one PhotoMaker config");
        foreach (var v in Variants)
        {
            if (string.IsNullOrWhiteSpace(v.Name) || v.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) p.Add($"key 'Variants': name '{v.Name}', expected a folder name");
            else if (!File.Exists(PathOf(v.Config))) p.Add($"key 'Variants': '{v.Name}': config '{PathOf(v.Config)}' not found");
        }
        if (Variants.Select(v => v.Name).Distinct().Count() != Variants.Length) p.Add("key 'Variants': names must be unique");
        if (Variants.Select(v => v.DisplayName).Distinct().Count() != Variants.Length) p.Add("key 'Variants': labels must be unique");
        if (!File.Exists(PathOf(DreamBooth))) p.Add($"key 'DreamBooth': config '{PathOf(DreamBooth)}' not found");
        if (People < 1) p.Add($"key 'People': {People}, expected at least 1");
        if (Prompts.Length == 0) p.Add("key 'Prompts': expected at least one prompt");
        foreach (var (prompt, i) in Prompts.Select((x, i) => (x, i)))
        {
            try { prompt.Factors.Validate(); }
            catch (ArgumentOutOfRangeException e) { p.Add($"key 'Prompts[{i}]': {e.Message.Split(" (Parameter")[0]}"); }
        }
        if (PromptLimit is { } limit && (limit < 1 || limit > Prompts.Length)) p.Add($"key 'PromptLimit': {limit}, expected 1..{Prompts.Length} or null");
        if (Seeds.Length == 0) p.Add("key 'Seeds': expected at least one seed");
        if (Seeds.Distinct().Count() != Seeds.Length) p.Add("key 'Seeds': seeds must be distinct");
        if (References < 1) p.Add($"key 'References': {References}, expected at least 1");
        p.AddRange(Sampling.Problems().Select(x => "key " + x));
        if (ExtraPrompts is < 1) p.Add($"key 'ExtraPrompts': {ExtraPrompts}, expected at least 1 or null");
        if (ReferenceCurve.Any(n => n < 1 || n > References) || ReferenceCurve.Distinct().Count() != ReferenceCurve.Length)
            p.Add($"key 'ReferenceCurve': [{string.Join(", ", ReferenceCurve)}], expected distinct counts in 1..References={References}");
        foreach (var (name, d) in Degradations)
        {
            if (string.IsNullOrWhiteSpace(name) || name == "clean") p.Add($"key 'Degradations': name '{name}', expected a word other than 'clean'");
            try { d.Validate(); }
            catch (ArgumentOutOfRangeException e) { p.Add($"key 'Degradations.{name}': {e.Message.Split(" (Parameter")[0]}"); }
            if (d.IsNone) p.Add($"key 'Degradations.{name}': no damage; set BlurSigma, NoiseStd or DownsampleFactor");
        }
        if (MixWeights.Any(w => !double.IsFinite(w) || w < 0)) p.Add("key 'MixWeights': expected finite coefficients >= 0");
        if (MixPairs < 0) p.Add($"key 'MixPairs': {MixPairs}, expected >= 0");
        if (MixPairs > 0 && MixWeights.Length == 0) p.Add("key 'MixWeights': expected at least one coefficient when MixPairs > 0");
        if (MixPairs > People) p.Add($"key 'MixPairs': {MixPairs}, expected at most People={People} (A is one of the evaluated people)");
        if (DreamBoothCheckpoints.Any(k => k < 0) || DreamBoothCheckpoints.Distinct().Count() != DreamBoothCheckpoints.Length)
            p.Add($"key 'DreamBoothCheckpoints': [{string.Join(", ", DreamBoothCheckpoints)}], expected distinct steps >= 0");
        if (SamplePeople < 0 || SamplePeople > People) p.Add($"key 'SamplePeople': {SamplePeople}, expected 0..People={People}");
        if (FdReferenceImagesPerIdentity < 1) p.Add($"key 'FdReferenceImagesPerIdentity': {FdReferenceImagesPerIdentity}, expected at least 1");
        return p;
    }

    /// <summary>A config path of the spec, relative to its folder.</summary>
    public string PathOf(string config) => Path.Combine(Directory, config);

    /// <summary>
    /// A variant's PhotoMaker config at this scale; <paramref name="baseCheckpoint"/> (a command-line path) replaces
    /// every config's BaseCheckpoint when given.
    /// </summary>
    public PhotoMakerConfig VariantConfig(PhotoMakerStudyVariant variant, string? baseCheckpoint = null) =>
        PhotoMakerConfig.Load(PathOf(variant.Config), [.. ScaleOverrides.PhotoMaker, .. BaseOverride(baseCheckpoint)]);

    /// <summary>The DreamBooth config at this scale (see <see cref="VariantConfig"/>).</summary>
    public DreamBoothConfig DreamBoothConfig(string? baseCheckpoint = null) =>
        PhotoMaker.DreamBoothConfig.Load(PathOf(DreamBooth), [.. ScaleOverrides.DreamBooth, .. BaseOverride(baseCheckpoint)]);

    private static string[] BaseOverride(string? baseCheckpoint) => baseCheckpoint is null ? [] : [$"BaseCheckpoint={baseCheckpoint}"];

    /// <summary>The spec as indented JSON (for the report).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, TrainConfigLoader.JsonOptions);
}
