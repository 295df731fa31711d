using static TorchSharp.torch;

namespace DiffusionLab.Diffusion;

/// <summary>The forward-process posterior q(x_{t−1} | x_t, x_0) (DDPM eq. 6–7); every tensor has x_t's shape.</summary>
public sealed record PosteriorMeanVariance(Tensor Mean, Tensor Variance, Tensor LogVarianceClipped);
