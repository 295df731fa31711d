using DiffusionLab.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Sampling;

/// <summary>
/// Ancestral DDPM sampling (Ho et al. Alg. 2; IDDPM <c>p_sample_loop</c>) with the process's variance (learned range
/// or fixed); no noise is added at index 0. MDT/DiT FID sampling: 250 respaced steps, no clipping.
/// </summary>
/// <param name="clipDenoised">Clamp x̂_0 to [−1, 1] (off for latents, as in DiT/MDT).</param>
public sealed class DdpmSampler(bool clipDenoised = false) : IDiffusionSampler
{
    public bool ClipDenoised { get; } = clipDenoised;

    public Tensor Sample(SpacedDiffusion diffusion, DenoiseFn model, long[] shape, Generator? generator, Device device, IProgress<int>? progress = null)
    {
        using var scope = torch.NewDisposeScope();
        var noise = SamplingLoop.StartNoise(shape, generator, device);
        return Sample(diffusion, model, noise, generator, progress).MoveToOuterDisposeScope();
    }

    public Tensor Sample(SpacedDiffusion diffusion, DenoiseFn model, Tensor noise, Generator? generator, IProgress<int>? progress = null) =>
        SamplingLoop.Run(diffusion, model, noise, generator, progress, (d, output, x, t, index, g) =>
            Step(d, output, x, t, index == 0 ? null : SamplingLoop.Noise(x.shape, x.dtype, x.device, g)));

    /// <summary>
    /// x_{t−1} = μ_θ(x_t, t) + σ_t·z with z = <paramref name="noise"/> where t ≠ 0 (the mean alone when noise is null).
    /// <paramref name="t"/> holds indices into <paramref name="diffusion"/>.
    /// </summary>
    public Tensor Step(GaussianDiffusion diffusion, Tensor modelOutput, Tensor x, Tensor t, Tensor? noise)
    {
        ArgumentNullException.ThrowIfNull(diffusion);
        var p = diffusion.PMeanVariance(modelOutput, x, t, ClipDenoised);
        if (noise is null) return p.Mean;
        return p.Mean + SamplingLoop.NonzeroMask(t, x) * (0.5 * p.LogVariance).exp() * noise;
    }
}
