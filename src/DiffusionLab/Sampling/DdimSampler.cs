using DiffusionLab.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Sampling;

/// <summary>
/// DDIM sampling (Song et al. eq. 12; IDDPM <c>ddim_sample</c>): x̂_0 from ε̂, then
/// x_{t−1} = √ᾱ_{t−1}·x̂_0 + √(1 − ᾱ_{t−1} − σ²)·ε + σ·z with σ = η·√((1−ᾱ_{t−1})/(1−ᾱ_t))·√(1 − ᾱ_t/ᾱ_{t−1}).
/// η = 0 is deterministic. With learned sigma only the ε half of the output is used.
/// </summary>
public sealed class DdimSampler : IDiffusionSampler
{
    /// <param name="eta">η ≥ 0 (0: deterministic DDIM, 1: DDPM-like variance).</param>
    /// <param name="clipDenoised">Clamp x̂_0 to [−1, 1] (off for latents).</param>
    public DdimSampler(double eta = 0.0, bool clipDenoised = false)
    {
        if (!(eta >= 0) || double.IsInfinity(eta)) throw new ArgumentOutOfRangeException(nameof(eta), eta, "DDIM eta must be a finite number >= 0");
        Eta = eta;
        ClipDenoised = clipDenoised;
    }

    public double Eta { get; }

    public bool ClipDenoised { get; }

    public Tensor Sample(SpacedDiffusion diffusion, DenoiseFn model, Tensor start, ImageNoise? noise, IProgress<int>? progress = null)
    {
        if (Eta > 0 && noise is null) throw new ArgumentNullException(nameof(noise), $"DDIM with eta = {Eta} adds noise: it needs the images' noise");
        return SamplingLoop.Run(diffusion, model, start, progress, (d, output, x, t, index) =>
            Step(d, output, x, t, Eta > 0 && index > 0 ? noise!.Draw(x.shape, x.device, x.dtype) : null));
    }

    /// <summary>
    /// One DDIM step from x_t; <paramref name="t"/> holds indices into <paramref name="diffusion"/>. The noise z is used
    /// only where η &gt; 0 and t ≠ 0 (null: none).
    /// </summary>
    public Tensor Step(GaussianDiffusion diffusion, Tensor modelOutput, Tensor x, Tensor t, Tensor? noise = null)
    {
        ArgumentNullException.ThrowIfNull(diffusion);
        var predXStart = diffusion.PMeanVariance(modelOutput, x, t, ClipDenoised).PredXStart;
        // ε is re-derived from x̂_0 as in the official code, so clipping x̂_0 stays consistent.
        var eps = diffusion.PredictEpsFromXStart(x, t, predXStart);
        var alphaBar = diffusion.AlphaCumprodAt(t, x);
        var alphaBarPrev = diffusion.AlphaCumprodPrevAt(t, x);
        var sigma = Eta * ((1 - alphaBarPrev) / (1 - alphaBar)).sqrt() * (1 - alphaBar / alphaBarPrev).sqrt();
        var meanPred = predXStart * alphaBarPrev.sqrt() + (1 - alphaBarPrev - sigma * sigma).sqrt() * eps;
        if (noise is null || Eta == 0) return meanPred;
        return meanPred + SamplingLoop.NonzeroMask(t, x) * sigma * noise;
    }
}
