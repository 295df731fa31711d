using static TorchSharp.torch;

namespace DiffusionLab.Diffusion;

/// <summary>The model's reverse step p_θ(x_{t−1} | x_t) and its x_0 prediction; every tensor has x_t's shape.</summary>
public sealed record PredictedMeanVariance(Tensor Mean, Tensor Variance, Tensor LogVariance, Tensor PredXStart);
