using DiffusionLab.Diffusion;
using static TorchSharp.torch;

namespace DiffusionLab.Sampling;

/// <summary>A reverse-process sampler over a (respaced) diffusion: DDPM ancestral or DDIM.</summary>
public interface IDiffusionSampler
{
    /// <summary>Draws x_T ~ N(0, I) of <paramref name="shape"/> on <paramref name="device"/> with
    /// <paramref name="generator"/> (which must live on that device), then runs every step; returns x_0.</summary>
    Tensor Sample(SpacedDiffusion diffusion, DenoiseFn model, long[] shape, Generator? generator, Device device, IProgress<int>? progress = null);

    /// <summary>Runs every step from the given x_T (not modified); progress reports the number of steps done.</summary>
    Tensor Sample(SpacedDiffusion diffusion, DenoiseFn model, Tensor noise, Generator? generator, IProgress<int>? progress = null);
}
