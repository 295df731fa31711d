using DiffusionLab.Diffusion;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Pipelines;

/// <summary>
/// Composes a trained network with the run's diffusion, respacing, sampler and guidance
/// (explicitly: the process, the sampler and the network do not know each other).
/// </summary>
public static class DenoiserSampling
{
    /// <summary>Class-balanced labels 0, 1, …, NumClasses−1, 0, 1, …</summary>
    public static Tensor Generate(Denoiser model, TrainConfig config, int count, long seed, Device device) =>
        Generate(model, config, torch.arange(count, dtype: ScalarType.Int64) % config.Model.NumClasses, seed, device);

    /// <summary>Images (N, C, H, W) in the data range [−1, 1] (clamped) for the given conditions: labels (N) or token ids (N, L).</summary>
    public static Tensor Generate(Denoiser model, TrainConfig config, Tensor labels, long seed, Device device, IProgress<int>? progress = null)
    {
        var s = config.Sampling;
        var m = config.Model;
        var spaced = SpacedDiffusion.Create(BetaSchedule.Create(config.Diffusion.Schedule, config.Diffusion.Timesteps), s.Respacing);
        var y = labels.to(device);
        using var nullCondition = model.NullCondition();
        DenoiseFn denoise = s.GuidanceScale == 1.0
            ? (x, t) => model.call(x, t, y)
            : ClassifierFreeGuidance.Wrap(
                (x, t, yy) => model.call(x, t, yy), y, nullCondition,
                s.GuidancePower is { } pow ? GuidanceSchedule.PowerCosine(s.GuidanceScale, pow, config.Diffusion.Timesteps) : GuidanceSchedule.Constant(s.GuidanceScale),
                s.GuidedChannels == "first3" ? GuidedChannels.FirstThree : GuidedChannels.All,
                m.InChannels);
        using var generator = new Generator((ulong)seed, torch.CPU);
        long[] shape = [labels.shape[0], m.InChannels, m.InputSize, m.InputSize];
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = torch.no_grad();
            var images = s.Sampler == "ddim"
                ? new DdimSampler(s.Eta).Sample(spaced, denoise, shape, generator, device, progress)
                : new DdpmSampler().Sample(spaced, denoise, shape, generator, device, progress);
            return images.clamp(-1, 1);
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }
}
