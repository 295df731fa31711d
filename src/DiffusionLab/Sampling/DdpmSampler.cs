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

    public Tensor Sample(SpacedDiffusion diffusion, DenoiseFn model, Tensor start, ImageNoise? noise, IProgress<int>? progress = null)
    {
        if (noise is null) throw new ArgumentNullException(nameof(noise), "DDPM adds noise at every step but the last: it needs the images' noise");
        return SamplingLoop.Run(diffusion, model, start, progress, (d, output, x, t, index) =>
            Step(d, output, x, t, index == 0 ? null : noise.Draw(x.shape, x.device, x.dtype)));
    }

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
