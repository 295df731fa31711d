using System.Text.Json;
using System.Text.Json.Nodes;
using DiffusionLab.Core;
using DiffusionLab.Runs;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// A PhotoMaker training stage on top of a trained text-to-image MDT (photomaker.md §2, §7). Defaults are the paper's
/// where it gives one, scaled to our model where it must be, with the source beside each number. Read from JSON with
/// <see cref="Load"/> or <see cref="FromJson(string, string)"/>: unknown keys and out-of-range values are errors naming
/// the key. A config file carries <c>"Stage": "photomaker"</c>, which `difflab train` dispatches on (<see cref="StageConfigFile"/>).
/// </summary>
public sealed record PhotoMakerConfig
{
    /// <summary>The marker of a PhotoMaker config file (<see cref="StageConfigFile"/>); always "photomaker".</summary>
    public string Stage { get; init; } = StageConfigFile.PhotoMaker;

    /// <summary>The text-to-image run folder or checkpoint the stage starts from (§7 "train in two stages"); required.</summary>
    public string BaseCheckpoint { get; init; } = "";
    /// <summary>Start from the base run's EMA weights (what it samples with) rather than its raw weights.</summary>
    public bool BaseUseEma { get; init; } = true;

    /// <summary>Stacked ID tokens (PhotoMaker) or one averaged token (Tab. 2a baseline).</summary>
    public IdEmbeddingMode IdEmbedding { get; init; } = IdEmbeddingMode.Stacked;
    /// <summary>Other images of the identity (§2.3) or the target itself augmented (Tab. 2b "single image" baseline).</summary>
    public ReferenceSource References { get; init; } = ReferenceSource.OtherImages;
    /// <summary>"For each target image, 1–4 other images of the same ID are sampled" (§2.3).</summary>
    public int MinReferences { get; init; } = 1;
    public int MaxReferences { get; init; } = 4;
    public ImageEncoderConfig ImageEncoder { get; init; } = new();

    /// <summary>LoRA on every attention projection (§1.4: "LoRA residuals of the matrices in the attention layers"), or the cross-attention unfrozen (§7).</summary>
    public BackboneAdaptation Adaptation { get; init; } = BackboneAdaptation.Lora;
    /// <summary>Official: rank 64 at UNet widths 640–1280 (§1.4, 5–10 % of the width); 16 is ~8 % of the T2I-Tiny width 192 (§7: 8–64).</summary>
    public int LoraRank { get; init; } = 16;
    /// <summary>α; α = rank gives scale 1, how diffusers loads the official up/down weights (§8, [inference]).</summary>
    public double LoraAlpha { get; init; } = 16;

    /// <summary>
    /// LoRA (or unfrozen cross-attention) learning rate. Paper: 1e-4 LoRA, 1e-5 encoder and fuse, Adam (§2.3). We keep
    /// the 10:1 ratio and scale both ×10: our image encoder starts from scratch, not from CLIP, and our backbone was
    /// trained at 3e-4–1e-3, so 1e-5 would barely move a randomly initialised ViT in a short run.
    /// </summary>
    public double AdapterLearningRate { get; init; } = 1e-3;
    /// <summary>Image encoder, projection and fuse module learning rate (paper 1e-5; see <see cref="AdapterLearningRate"/>).</summary>
    public double EncoderLearningRate { get; init; } = 1e-4;
    /// <summary>Adam (β1, β2); null = (0.9, 0.999). The paper uses Adam without weight decay (§2.3).</summary>
    public double[]? Betas { get; init; }
    public double WeightDecay { get; init; } = 0.0;
    /// <summary>Global gradient-norm clip over all trained parameters (not stated in the paper; diffusers' scripts clip at 1).</summary>
    public double? GradClip { get; init; } = 1.0;

    /// <summary>Probability that a sample's ε-loss is restricted to its person mask (§2.2: 50 %).</summary>
    public double MaskedLossProbability { get; init; } = 0.5;
    /// <summary>Probability that t* is replaced by the empty prompt's embedding (§2.2: 10 %, for CFG at inference).</summary>
    public double NullTextProbability { get; init; } = 0.1;
    /// <summary>Fill reference pixels outside the person mask with noise (§1.1 "training inputs are masked").</summary>
    public bool NoiseBackground { get; init; } = true;
    /// <summary>Probability that a reference is degraded (random down-sampling, blur, noise); not in the paper, which crawls real photos of mixed quality.</summary>
    public double DegradationProbability { get; init; } = 0.3;
    /// <summary>Min-SNR-γ on the ε-mse; null = the plain ε-MSE of §2.2.</summary>
    public double? MinSnrGamma { get; init; }
    /// <summary>Also train through the backbone's masked (MDT) branch; PhotoMaker has only the plain diffusion loss (§2.2), so off.</summary>
    public bool MaskedBranch { get; init; } = false;
    /// <summary>EMA decay of the trained weights (not stated in the paper, §8); null = none.</summary>
    public double? EmaDecay { get; init; }

    /// <summary>
    /// Contrastive pre-training steps of the ID encoder's image path before the diffusion stage (<see cref="IdEncoderPretraining"/>),
    /// standing in for the CLIP pre-training PhotoMaker's encoder starts from (§1.1); 0 = none (the encoder learns from
    /// the diffusion loss alone). Run once, when a run starts; its checkpoints hold the result.
    /// </summary>
    public int EncoderPretrainSteps { get; init; } = 0;
    /// <summary>People per pre-training batch: each gives two of its images (a positive pair), the others are negatives.</summary>
    public int EncoderPretrainPeople { get; init; } = 64;
    /// <summary>AdamW learning rate of the pre-training (a from-scratch ViT; CLIP-style pre-training runs 5e-4–1e-3).</summary>
    public double EncoderPretrainLearningRate { get; init; } = 1e-3;
    /// <summary>InfoNCE temperature (CLIP learns it and starts at 0.07; fixed here).</summary>
    public double EncoderPretrainTemperature { get; init; } = 0.1;

    /// <summary>Optimizer steps (not published, §8).</summary>
    public int Steps { get; init; } = 20_000;
    /// <summary>Targets per step (paper: 48 over 8 A100s, §2.3).</summary>
    public int BatchSize { get; init; } = 16;
    public long Seed { get; init; } = 0;
    public int LogEvery { get; init; } = 50;
    public int SampleEvery { get; init; } = 2_000;
    public int CheckpointEvery { get; init; } = 1_000;
    /// <summary>Held-out people in each sample grid (references → generation rows).</summary>
    public int SampleIdentities { get; init; } = 4;
    /// <summary>How the sample grids are drawn (DDIM 50, CFG 5, style strength 20 %).</summary>
    public PhotoMakerSampling Sampling { get; init; } = new();

    /// <summary>Problems with this config, each naming the key; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        // First: a NaN passes every range check below (each comparison with it is false).
        var p = new List<string>(Core.FiniteNumbers.Problems(this));
        if (p.Count > 0) return p;
        if (Stage != StageConfigFile.PhotoMaker) p.Add($"key 'Stage': '{Stage}', expected \"{StageConfigFile.PhotoMaker}\"");
        if (string.IsNullOrWhiteSpace(BaseCheckpoint)) p.Add("key 'BaseCheckpoint': expected the text-to-image run folder or checkpoint to start from");
        if (MinReferences < 1 || MaxReferences < MinReferences) p.Add($"key 'MinReferences'/'MaxReferences': {MinReferences}..{MaxReferences}, expected 1 <= MinReferences <= MaxReferences");
        p.AddRange(ImageEncoder.Problems().Select(x => "key " + x));
        if (LoraRank < 1) p.Add($"key 'LoraRank': {LoraRank}, expected a positive integer");
        if (EncoderPretrainSteps < 0) p.Add($"key 'EncoderPretrainSteps': {EncoderPretrainSteps}, expected 0 (none) or a positive integer");
        if (EncoderPretrainPeople < 2) p.Add($"key 'EncoderPretrainPeople': {EncoderPretrainPeople}, expected at least 2 (a positive pair needs negatives)");
        if (!(EncoderPretrainLearningRate > 0)) p.Add($"key 'EncoderPretrainLearningRate': {EncoderPretrainLearningRate}, expected a positive number");
        if (!(EncoderPretrainTemperature > 0)) p.Add($"key 'EncoderPretrainTemperature': {EncoderPretrainTemperature}, expected a positive number");
        if (!(LoraAlpha > 0)) p.Add($"key 'LoraAlpha': {LoraAlpha}, expected a positive number");
        if (!(AdapterLearningRate > 0)) p.Add($"key 'AdapterLearningRate': {AdapterLearningRate}, expected a positive number");
        if (!(EncoderLearningRate > 0)) p.Add($"key 'EncoderLearningRate': {EncoderLearningRate}, expected a positive number");
        if (Betas is { } b && (b.Length != 2 || b.Any(x => x is < 0 or >= 1))) p.Add("key 'Betas': expected 2 values in [0, 1)");
        if (WeightDecay < 0) p.Add($"key 'WeightDecay': {WeightDecay}, expected >= 0");
        if (GradClip is <= 0) p.Add($"key 'GradClip': {GradClip}, expected a positive number or null");
        foreach (var (name, v) in new[] { ("MaskedLossProbability", MaskedLossProbability), ("NullTextProbability", NullTextProbability), ("DegradationProbability", DegradationProbability) })
            if (!(v >= 0 && v <= 1)) p.Add($"key '{name}': {v}, expected a probability in [0, 1]");
        if (MinSnrGamma is <= 0) p.Add($"key 'MinSnrGamma': {MinSnrGamma}, expected a positive number or null");
        if (EmaDecay is < 0 or >= 1) p.Add($"key 'EmaDecay': {EmaDecay}, expected a value in [0, 1) or null");
        foreach (var (name, v) in new[] { ("Steps", Steps), ("BatchSize", BatchSize), ("LogEvery", LogEvery), ("SampleEvery", SampleEvery), ("CheckpointEvery", CheckpointEvery) })
            if (v < 1) p.Add($"key '{name}': {v}, expected a positive integer");
        if (SampleIdentities < 0) p.Add($"key 'SampleIdentities': {SampleIdentities}, expected >= 0");
        if (Adaptation == BackboneAdaptation.Full) p.Add("key 'Adaptation': Full is DreamBooth's; PhotoMaker trains Lora or CrossAttention");
        p.AddRange(Sampling.Problems().Select(x => "key " + x));
        return p;
    }

    /// <summary>Where the keys live in a config file: the run config's sections, the rest under "PhotoMaker" (<see cref="StageSections"/>).</summary>
    internal static readonly StageSections Sections = StageSections.For<PhotoMakerConfig>("PhotoMaker", new Dictionary<string, string>
    {
        ["Steps"] = "Training", ["BatchSize"] = "Training", ["Seed"] = "Training", ["LogEvery"] = "Training",
        ["SampleEvery"] = "Training", ["CheckpointEvery"] = "Training", ["EmaDecay"] = "Training",
        ["Betas"] = "Optimizer", ["WeightDecay"] = "Optimizer", ["GradClip"] = "Optimizer",
        ["MinSnrGamma"] = "Diffusion",
    });

    /// <summary>Parses a config from JSON (comments and trailing commas allowed); <paramref name="source"/> names it in errors.</summary>
    public static PhotoMakerConfig FromJson(string json, string source) => FromJson(StageConfigFile.Parse(json, source), source);

    /// <summary>A config from a JSON object in sections, or flat as stored before the one dialect (paths taken as they are).</summary>
    public static PhotoMakerConfig FromJson(JsonObject json, string source)
    {
        var config = StageConfigFile.Read<PhotoMakerConfig>(Sections.IsFlat(json) ? json : Sections.Flatten(json, source), source);
        var problems = config.Problems();
        if (problems.Count > 0) throw new ConfigException($"config '{source}': {problems[0]}");
        return config;
    }

    /// <summary>
    /// A config file with <c>Key=Value</c> / <c>Section.Key=Value</c> overrides; a relative BaseCheckpoint is resolved as
    /// <see cref="StageConfigFile"/> says (the repository root for a value in the file, the current directory for an override).
    /// </summary>
    public static PhotoMakerConfig Load(string path, IEnumerable<string>? overrides = null) =>
        FromJson(StageConfigFile.Load(path, overrides, Sections), path);

    /// <summary>The config as indented JSON that <see cref="FromJson(string, string)"/> reads back to an equal config.</summary>
    public string ToJson() => Sections.Sectioned(JsonSerializer.SerializeToNode(this, TrainConfigLoader.JsonOptions)!.AsObject()).ToJsonString(TrainConfigLoader.JsonOptions);
}
