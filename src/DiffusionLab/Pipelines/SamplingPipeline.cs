using DiffusionLab.Core;
using DiffusionLab.Diffusion;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Pipelines;

/// <summary>
/// THE sampling pipeline: a trained network with its own diffusion (the run's β schedule and T; learned sigma as the
/// network was built), respaced as configured, a sampler (DDPM or DDIM, x̂_0 clipped for pixel models), classifier-free
/// guidance (constant or power-cosine, on the configured channels) and a conditioning (<see cref="ISamplingConditioning"/>),
/// composed in the open: the process, the sampler and the network do not know each other. Noise follows
/// <see cref="ImageNoise"/>: image i's seed alone decides its x_T and every noise added to it.
/// </summary>
public sealed class SamplingPipeline
{
    private readonly double[] _betas;

    /// <summary>Over the base process <paramref name="betas"/> (T = its length) with the given sampling settings.</summary>
    public SamplingPipeline(Denoiser model, double[] betas, SamplingSection sampling)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(betas);
        ArgumentNullException.ThrowIfNull(sampling);
        if (!Enum.IsDefined(sampling.Sampler)) throw new ArgumentException($"Sampling.Sampler {sampling.Sampler}: expected {ConfigChoice.Expected<SamplerKind>()}");
        if (!Enum.IsDefined(sampling.GuidedChannels)) throw new ArgumentException($"Sampling.GuidedChannels {sampling.GuidedChannels}: expected {ConfigChoice.Expected<GuidedChannels>()}");
        Model = model;
        Settings = sampling;
        _betas = (double[])betas.Clone();
        // Learned sigma is a property of the network's output (2C channels), so it is read from the network's own config.
        Diffusion = SpacedDiffusion.Create(_betas, sampling.Respacing, model.Config.LearnSigma);
    }

    /// <summary>Over the run's own diffusion and sampling sections.</summary>
    public SamplingPipeline(Denoiser model, TrainConfig config)
        : this(model, BetaSchedule.Create(config.Diffusion.Schedule, config.Diffusion.Timesteps), config.Sampling) { }

    public Denoiser Model { get; }

    public SamplingSection Settings { get; }

    /// <summary>The respaced process the sampler walks.</summary>
    public SpacedDiffusion Diffusion { get; }

    /// <summary>The same network and process with other sampling settings (respacing, sampler, guidance, clipping).</summary>
    public SamplingPipeline With(SamplingSection sampling) => new(Model, _betas, sampling);

    /// <summary>Images (N, C, H, W) in [−1, 1] for labels (N) or token ids (N, L), image i from seed <paramref name="firstSeed"/> + i.</summary>
    public Tensor Generate(Tensor labelsOrIds, long firstSeed, IProgress<int>? progress = null)
    {
        using var conditioning = new DenoiserConditioning(Model, labelsOrIds);
        return Generate(conditioning, Enumerable.Range(0, conditioning.Count).Select(i => firstSeed + i).ToArray(), progress);
    }

    /// <summary>Images (N, C, H, W) in [−1, 1], one per seed (N = the conditioning's count).</summary>
    public Tensor Generate(ISamplingConditioning conditioning, IReadOnlyList<long> seeds, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        if (seeds.Count != conditioning.Count) throw new ArgumentException($"{seeds.Count} seeds for {conditioning.Count} images: expected one seed per image");
        using var noise = new ImageNoise(seeds);
        var c = Model.Config;
        using var start = noise.Draw([seeds.Count, c.InChannels, c.InputSize, c.InputSize], Model.parameters().First().device);
        return Generate(conditioning, start, noise, progress);
    }

    /// <summary>
    /// Images from a given x_T (N, C, H, W), the added noise drawn from <paramref name="noise"/> (null only for
    /// DDIM with η = 0): for comparing with another path fed the same start.
    /// </summary>
    public Tensor Generate(ISamplingConditioning conditioning, Tensor start, ImageNoise? noise, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        ArgumentNullException.ThrowIfNull(start);
        if (start.shape[0] != conditioning.Count) throw new ArgumentException($"start noise has {start.shape[0]} rows for {conditioning.Count} images");
        var s = Settings;
        var schedule = s.GuidancePower is { } pow ? GuidanceSchedule.PowerCosine(s.GuidanceScale, pow, Diffusion.OriginalNumTimesteps) : GuidanceSchedule.Constant(s.GuidanceScale);
        int steps = Diffusion.NumTimesteps, done = 0;
        DenoiseFn denoise = (x, t) =>
        {
            // The samplers call the network once per step, noisiest first: the step is counted on the host, with no
            // device read of t inside the loop.
            int step = done++;
            if (step >= steps) throw new InvalidOperationException($"the sampler called the network more than once per step ({step + 1} calls for {steps} steps)");
            if (schedule.IsIdentity) return conditioning.Predict(x, t, step, steps, withUnconditional: false);
            var output = conditioning.Predict(torch.cat([x, x], 0), torch.cat([t, t], 0), step, steps, withUnconditional: true); // (2N, C_out, H, W)
            return ClassifierFreeGuidance.Guide(output, t, schedule, s.GuidedChannels, Model.Config.InChannels);                          // (N, C_out, H, W)
        };
        // No progress asked for: in a notebook with a progress host the loop still shows on its display.
        progress ??= ProgressMeter.OnHost($"sampling {conditioning.Count} images, {steps} steps", steps);
        IDiffusionSampler sampler = s.Sampler == SamplerKind.Ddim ? new DdimSampler(s.Eta, s.ClipDenoised) : new DdpmSampler(s.ClipDenoised);
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            return sampler.Sample(Diffusion, denoise, start, noise, progress).clamp(-1, 1).MoveToOuterDisposeScope();
        }
        finally
        {
            if (wasTraining) Model.train();
        }
    }
}
