using System.Text.Json;
using System.Text.Json.Nodes;
using DiffusionLab.Core;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// StoryDiffusion's transition stage (storydiffusion.md §4) on a trained text-to-image MDT: a semantic image encoder
/// (pre-trained here, frozen), the semantic motion predictor, and temporal layers that turn the image model into a clip
/// generator whose cross-attention reads each frame's predicted embedding beside the text. Defaults are the paper's where
/// it gives one, with the source beside each number, and our scale where it must be. A config file carries
/// <c>"Stage": "motion"</c> (<see cref="StageConfigFile"/>, the one stage dialect: the stage's keys in section "Motion").
/// </summary>
public sealed record MotionConfig
{
    public const string StageName = "motion";

    /// <summary>The marker of a motion config file; always "motion".</summary>
    public string Stage { get; init; } = StageName;
    /// <summary>The text-to-image run folder or checkpoint the clip generator extends; required.</summary>
    public string BaseCheckpoint { get; init; } = "";
    /// <summary>Start from the base run's EMA weights (what it samples with).</summary>
    public bool BaseUseEma { get; init; } = true;

    /// <summary>L, frames per transition: not given in the sources (§9); AnimateDiff-v2 clips are 16; 8 on 2 CPU cores.</summary>
    public int Frames { get; init; } = 8;

    /// <summary>
    /// The semantic encoder's tower: PhotoMaker's CLIP-shaped ViT (ImageEncoderConfig) standing in for OpenCLIP ViT-H/14
    /// (§4); at 32 px with patch 8 it gives CLS + 16 patch tokens of width 128 (N = 17 tokens per keyframe).
    /// </summary>
    public ImageEncoderConfig Encoder { get; init; } = new() { ImageSize = 32, PatchSize = 8, Width = 128, Depth = 4, Heads = 4 };
    /// <summary>Time-contrastive pre-training steps of the encoder (<see cref="SemanticEncoderPretraining"/>), run once when the stage starts; 0 = a random tower.</summary>
    public int EncoderPretrainSteps { get; init; } = 1_000;
    /// <summary>Clips per pre-training batch: each gives an anchor frame, its neighbour (positive) and a distant frame (hard negative).</summary>
    public int EncoderPretrainClips { get; init; } = 32;
    /// <summary>AdamW learning rate of the pre-training (a from-scratch ViT; CLIP-style pre-training runs 5e-4–1e-3).</summary>
    public double EncoderPretrainLearningRate { get; init; } = 1e-3;
    /// <summary>InfoNCE temperature (CLIP starts its learned one at 0.07; fixed here, as PhotoMaker's pre-training).</summary>
    public double EncoderPretrainTemperature { get; init; } = 0.1;

    /// <summary>The semantic motion predictor on; off = the interpolated embeddings go straight into cross-attention (the ablation).</summary>
    public bool UsePredictor { get; init; } = true;
    /// <summary>Predictor transformer layers: 8 (§4).</summary>
    public int PredictorDepth { get; init; } = 8;
    /// <summary>Predictor width: the paper's 1024 is its UNet's scale; 0 = our backbone's width.</summary>
    public int PredictorWidth { get; init; } = 0;
    /// <summary>Heads: the printed "12" does not divide 1024 (§4, §9); 4 heads at our width, as the backbone.</summary>
    public int PredictorHeads { get; init; } = 4;

    /// <summary>Tune the image backbone too (§4: unknown whether the paper froze it, [I#70]); frozen by default as AnimateDiff trains its motion modules.</summary>
    public bool TuneBackbone { get; init; } = false;
    /// <summary>Temporal layers and keyframe projection: lr 1e-4 (§4, [P-A]).</summary>
    public double TemporalLearningRate { get; init; } = 1e-4;
    /// <summary>The motion predictor: lr 1e-4 (§4).</summary>
    public double PredictorLearningRate { get; init; } = 1e-4;
    /// <summary>The backbone when tuned: a tenth of the new layers' rate (it is already trained).</summary>
    public double BackboneLearningRate { get; init; } = 1e-5;
    /// <summary>
    /// Weight of a direct target for the predictor: the mean squared distance of its per-frame embeddings to the encoder's
    /// embeddings of the true frames. The paper trains with the diffusion loss alone (§4), so 0; at our budget the
    /// rendered ground-truth frames give the predictor a signal the diffusion loss reaches only slowly.
    /// </summary>
    public double PredictorEmbeddingLossWeight { get; init; } = 0.0;
    /// <summary>Probability a clip's prompt is replaced by the empty prompt (for guidance; photomaker.md §2.2's 10 %).</summary>
    public double NullTextProbability { get; init; } = 0.1;
    /// <summary>Probability a clip's keyframe tokens are hidden (masked out of cross-attention): the guidance's unconditional pass and the text-only mode.</summary>
    public double NullKeyframeProbability { get; init; } = 0.1;
    /// <summary>Training clips move by a motion size drawn uniformly from [0, MaxMotion] (<see cref="KeyframePairs"/>).</summary>
    public double MaxMotion { get; init; } = 1.0;
    /// <summary>Adam (β1, β2); null = (0.9, 0.999).</summary>
    public double[]? Betas { get; init; }
    public double WeightDecay { get; init; } = 0.0;
    public double? GradClip { get; init; } = 1.0;
    public double? EmaDecay { get; init; }

    /// <summary>Optimizer steps: 100k iterations (§4, on 8 A100s and WebVid-10M).</summary>
    public int Steps { get; init; } = 100_000;
    /// <summary>Clips per step (not published).</summary>
    public int BatchSize { get; init; } = 4;
    public long Seed { get; init; } = 0;
    public int LogEvery { get; init; } = 50;
    public int SampleEvery { get; init; } = 1_000;
    public int CheckpointEvery { get; init; } = 500;
    /// <summary>Held-out people whose transitions the sample sheets show.</summary>
    public int SampleClips { get; init; } = 2;
    public ClipSampling Sampling { get; init; } = new();

    /// <summary>Problems with this config, each naming the key; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>(FiniteNumbers.Problems(this));
        if (p.Count > 0) return p;
        if (Stage != StageName) p.Add($"key 'Stage': '{Stage}', expected \"{StageName}\"");
        if (string.IsNullOrWhiteSpace(BaseCheckpoint)) p.Add("key 'BaseCheckpoint': expected the text-to-image run folder or checkpoint to start from");
        if (Frames is < 2 or > 64) p.Add($"key 'Frames': {Frames}, expected 2..64 (8–16 make a clip)");
        p.AddRange(Encoder.Problems().Select(x => "key " + x.Replace("ImageEncoder.", "Encoder.", StringComparison.Ordinal)));
        if (EncoderPretrainSteps < 0) p.Add($"key 'EncoderPretrainSteps': {EncoderPretrainSteps}, expected 0 (none) or a positive integer");
        if (EncoderPretrainClips < 2) p.Add($"key 'EncoderPretrainClips': {EncoderPretrainClips}, expected at least 2 (a positive pair needs negatives)");
        if (PredictorDepth < 1) p.Add($"key 'PredictorDepth': {PredictorDepth}, expected a positive integer");
        if (PredictorWidth < 0) p.Add($"key 'PredictorWidth': {PredictorWidth}, expected 0 (the backbone's width) or a positive integer");
        if (PredictorHeads < 1 || (PredictorWidth > 0 && PredictorWidth % PredictorHeads != 0)) p.Add($"key 'PredictorHeads': {PredictorHeads}, expected a positive divisor of PredictorWidth");
        foreach (var (name, v) in new[] { ("EncoderPretrainLearningRate", EncoderPretrainLearningRate), ("EncoderPretrainTemperature", EncoderPretrainTemperature),
                     ("TemporalLearningRate", TemporalLearningRate), ("PredictorLearningRate", PredictorLearningRate), ("BackboneLearningRate", BackboneLearningRate) })
            if (!(v > 0)) p.Add($"key '{name}': {v}, expected a positive number");
        if (PredictorEmbeddingLossWeight < 0) p.Add($"key 'PredictorEmbeddingLossWeight': {PredictorEmbeddingLossWeight}, expected >= 0");
        foreach (var (name, v) in new[] { ("NullTextProbability", NullTextProbability), ("NullKeyframeProbability", NullKeyframeProbability), ("MaxMotion", MaxMotion) })
            if (!(v >= 0 && v <= 1)) p.Add($"key '{name}': {v}, expected a value in [0, 1]");
        if (Betas is { } b && (b.Length != 2 || b.Any(x => x is < 0 or >= 1))) p.Add("key 'Betas': expected 2 values in [0, 1)");
        if (WeightDecay < 0) p.Add($"key 'WeightDecay': {WeightDecay}, expected >= 0");
        if (GradClip is <= 0) p.Add($"key 'GradClip': {GradClip}, expected a positive number or null");
        if (EmaDecay is < 0 or >= 1) p.Add($"key 'EmaDecay': {EmaDecay}, expected a value in [0, 1) or null");
        foreach (var (name, v) in new[] { ("Steps", Steps), ("BatchSize", BatchSize), ("LogEvery", LogEvery), ("SampleEvery", SampleEvery), ("CheckpointEvery", CheckpointEvery) })
            if (v < 1) p.Add($"key '{name}': {v}, expected a positive integer");
        if (SampleClips < 0) p.Add($"key 'SampleClips': {SampleClips}, expected >= 0");
        p.AddRange(Sampling.Problems().Select(x => "key " + x));
        return p;
    }

    /// <summary>Where the keys live in a config file: the run config's sections, the rest under "Motion".</summary>
    internal static readonly StageSections Sections = StageSections.For<MotionConfig>("Motion", new Dictionary<string, string>
    {
        ["Steps"] = "Training", ["BatchSize"] = "Training", ["Seed"] = "Training", ["LogEvery"] = "Training",
        ["SampleEvery"] = "Training", ["CheckpointEvery"] = "Training", ["EmaDecay"] = "Training",
        ["Betas"] = "Optimizer", ["WeightDecay"] = "Optimizer", ["GradClip"] = "Optimizer",
    });

    /// <summary>Parses a config from JSON (comments and trailing commas allowed); <paramref name="source"/> names it in errors.</summary>
    public static MotionConfig FromJson(string json, string source) => FromJson(StageConfigFile.Parse(json, source), source);

    /// <summary>A config from a JSON object in sections (a file), or flat (as <see cref="StageConfigFile.Load"/> returns it).</summary>
    public static MotionConfig FromJson(JsonObject json, string source)
    {
        var config = StageConfigFile.Read<MotionConfig>(Sections.IsFlat(json) ? json : Sections.Flatten(json, source), source);
        var problems = config.Problems();
        if (problems.Count > 0) throw new ConfigException($"config '{source}': {problems[0]}");
        return config;
    }

    /// <summary>A config file with <c>Key=Value</c> / <c>Section.Key=Value</c> overrides; BaseCheckpoint resolved as <see cref="StageConfigFile"/> says.</summary>
    public static MotionConfig Load(string path, IEnumerable<string>? overrides = null) =>
        FromJson(StageConfigFile.Load(path, overrides, Sections), path);

    /// <summary>The config as indented JSON that <see cref="FromJson(string, string)"/> reads back to an equal config.</summary>
    public string ToJson() => Sections.Sectioned(JsonSerializer.SerializeToNode(this, TrainConfigLoader.JsonOptions)!.AsObject()).ToJsonString(TrainConfigLoader.JsonOptions);
}
