using DiffusionLab.Modules;
using DiffusionLab.Sampling;

namespace DiffusionLab.Runs;

/// <summary>
/// One training run, as read from JSON (see <see cref="TrainConfigLoader"/>). Every section's
/// defaults are the MDTv2 paper recipe (mdt.md §8) unless a preset or the file says otherwise.
/// </summary>
public sealed record TrainConfig
{
    /// <summary>The network: a preset name in "Preset" plus any <see cref="DenoiserConfig"/> key to override.</summary>
    public DenoiserConfig Model { get; init; } = new();
    /// <summary>The preset the model section started from (kept for the record).</summary>
    public string ModelPreset { get; init; } = "MDTv2-S/2";
    public DataSection Data { get; init; } = new();
    public DiffusionSection Diffusion { get; init; } = new();
    public OptimizerSection Optimizer { get; init; } = new();
    public TrainingSection Training { get; init; } = new();
    public SamplingSection Sampling { get; init; } = new();
    public EvaluationSection Evaluation { get; init; } = new();

    /// <summary>The config an evaluation at <paramref name="step"/> runs with: at the last step, Evaluation.FinalNumSamples samples where set.</summary>
    public TrainConfig EvaluatedAt(long step) =>
        step == Training.Steps && Evaluation.FinalNumSamples is int final ? this with { Evaluation = Evaluation with { NumSamples = final } } : this;
}

public sealed record DataSection
{
    /// <summary>
    /// Class-conditional: "mnist10k" (shipped with the library) or "folder" (class = sub-folder name).
    /// Text-conditional: "characterworld" (procedural captioned people, rendered on the fly) or "captions"
    /// (image files with same-named .txt captions, one identity per sub-folder).
    /// </summary>
    public DatasetKind Dataset { get; init; } = DatasetKind.Mnist10k;
    /// <summary>Image-folder root, for Dataset "folder" or "captions".</summary>
    public string? Folder { get; init; }
    /// <summary>CharacterWorld: the world's seed (its faces and images).</summary>
    public long WorldSeed { get; init; } = 0;
    /// <summary>CharacterWorld: training identities; the held-out ones after them are never drawn in training.</summary>
    public int WorldIdentities { get; init; } = 2000;
    public int WorldHeldOutIdentities { get; init; } = 200;
    /// <summary>CharacterWorld: images per identity in the training index space.</summary>
    public int ImagesPerIdentity { get; init; } = 64;
    /// <summary>CharacterWorld: folder for an on-disk cache of rendered images (null: render every time, ~5,000 images/s).</summary>
    public string? Cache { get; init; }
}

public sealed record DiffusionSection
{
    /// <summary>"linear" (DiT/MDT) or "cosine".</summary>
    public string Schedule { get; init; } = "linear";
    public int Timesteps { get; init; } = 1000;
    /// <summary>Min-SNR-γ weighting of the mse term; MDTv2 uses 5 (mdt.md §5), DiT and MDTv1 none.</summary>
    public double? MinSnrGamma { get; init; } = 5.0;
}

public sealed record OptimizerSection
{
    /// <summary>"adan" (MDTv2) or "adamw" (DiT, MDTv1).</summary>
    public OptimizerKind Name { get; init; } = OptimizerKind.Adan;
    /// <summary>Constant learning rate: MDTv2 3e-4 (S/2 run.sh 5e-4), MDTv1 3e-4, DiT 1e-4.</summary>
    public double LearningRate { get; init; } = 3e-4;
    /// <summary>AdamW (β1, β2) or Adan (β1, β2, β3); null = the optimizer's default ((0.9, 0.999) / (0.98, 0.92, 0.99)).</summary>
    public double[]? Betas { get; init; }
    public double Eps { get; init; } = 1e-8;
    public double WeightDecay { get; init; } = 0.0;
    /// <summary>Global gradient-norm clip; MDTv2's Adan clips at 1.0, DiT and MDTv1 do not clip.</summary>
    public double? GradClip { get; init; } = 1.0;
}

public sealed record TrainingSection
{
    public int Steps { get; init; } = 400_000;
    /// <summary>Global batch (papers: 256).</summary>
    public int BatchSize { get; init; } = 256;
    /// <summary>EMA decay (papers: 0.9999, no warm-up). Short runs need a smaller value to be useful.</summary>
    public double EmaDecay { get; init; } = 0.9999;
    /// <summary>Decay min(EmaDecay, (1+t)/(10+t)) at step t (diffusers' EMAModel); the papers use none.</summary>
    public bool EmaWarmup { get; init; } = false;
    public long Seed { get; init; } = 0;
    /// <summary>"fp32" or "bf16" (CUDA only: bf16 compute, fp32 master weights).</summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Fp32;
    public int LogEvery { get; init; } = 100;
    public int SampleEvery { get; init; } = 10_000;
    public int CheckpointEvery { get; init; } = 10_000;
    /// <summary>0 = evaluate only at the end.</summary>
    public int EvaluateEvery { get; init; } = 0;
    /// <summary>
    /// Further steps to evaluate at, besides every EvaluateEvery-th: a dense start for convergence studies (e.g.
    /// doubling intervals 25, 50, 100, 200, …), so the first evaluation comes before any model reaches a target FD.
    /// </summary>
    public int[]? EvaluateAt { get; init; }
    /// <summary>
    /// A fine-tune's starting point: a run folder, checkpoint or shipped model (<c>zoo:NAME</c>) whose weights (a run's
    /// EMA) start the network and its EMA instead of Training.Seed's random ones. Its model config must be this run's
    /// Model, and a text model's tokenizer this data's. Read once, when the run starts; a resumed run reads its own
    /// checkpoint. null: train from scratch.
    /// </summary>
    public string? InitialWeights { get; init; }
}

public sealed record SamplingSection
{
    /// <summary>"ddpm" (ancestral; the papers' FID sampler) or "ddim".</summary>
    public SamplerKind Sampler { get; init; } = SamplerKind.Ddpm;
    /// <summary>Timestep respacing: "250" (papers) or "ddimN" / any section spec.</summary>
    public string Respacing { get; init; } = "250";
    public double Eta { get; init; } = 0.0;
    /// <summary>Classifier-free guidance scale; 1 = no guidance. MDT FID setting: 3.8 with power 4 (mdt.md §4).</summary>
    public double GuidanceScale { get; init; } = 1.0;
    /// <summary>Power-cosine schedule exponent; null = constant scale.</summary>
    public double? GuidancePower { get; init; }
    /// <summary>"all" (correct) or "first3" (the official DiT/MDT behaviour, for reproduction).</summary>
    public GuidedChannels GuidedChannels { get; init; } = GuidedChannels.All;
    /// <summary>
    /// Clamp the predicted x̂_0 to [−1, 1] at every step (IDDPM <c>clip_denoised</c>, improved-diffusion's default for
    /// pixel images): pixel data lie in [−1, 1], and a briefly trained network's x̂_0 far outside it otherwise drives
    /// whole images to saturated noise. Every data set here (MNIST, CharacterWorld, image folders) is pixel space, so the
    /// default is on; a latent-space model sets false, as DiT/MDT sample latents unclipped. Configs written before this
    /// key load with the default.
    /// </summary>
    public bool ClipDenoised { get; init; } = true;
    /// <summary>Images in a periodic sample grid.</summary>
    public int GridSamples { get; init; } = 64;
    /// <summary>Use the EMA weights for sampling and evaluation.</summary>
    public bool UseEma { get; init; } = true;
}

public sealed record EvaluationSection
{
    /// <summary>Generated images per evaluation (class-balanced labels).</summary>
    public int NumSamples { get; init; } = 1000;
    /// <summary>
    /// Generated images at the evaluation of the run's last step, where the study's headline numbers come from (null:
    /// <see cref="NumSamples"/>): dense evaluations during training can then stay cheaper than the final one.
    /// </summary>
    public int? FinalNumSamples { get; init; }
    public int BatchSize { get; init; } = 250;
    /// <summary>
    /// MNIST runs: test digits per class for the denoising probe run beside every evaluation (x̂_0's error, class
    /// read and class sensitivity by noise level, see <c>Evaluation.DenoisingProbe</c>); 0 = no probe.
    /// </summary>
    public int ProbeDigitsPerClass { get; init; } = 10;
}
