using DiffusionLab.Diffusion;
using static TorchSharp.torch;

namespace DiffusionLab.Sampling;

/// <summary>A reverse-process sampler over a (respaced) diffusion: DDPM ancestral or DDIM.</summary>
public interface IDiffusionSampler
{
    /// <summary>
    /// Runs every step from the given x_T (not modified), drawing the noise each step adds from <paramref name="noise"/>
    /// (null only where the sampler adds none: DDIM with η = 0); progress reports the number of steps done.
    /// </summary>
    Tensor Sample(SpacedDiffusion diffusion, DenoiseFn model, Tensor start, ImageNoise? noise, IProgress<int>? progress = null);
}
