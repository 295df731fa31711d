using static TorchSharp.torch;

namespace DiffusionLab.Sampling;

/// <summary>
/// The network as a sampler sees it: x_t (N, C, …) and ORIGINAL timesteps (N, int64) to the model output
/// (N, 2C, …) = [ε̂, v] with learned sigma, else (N, C, …). Labels and guidance are closed over.
/// </summary>
public delegate Tensor DenoiseFn(Tensor x, Tensor originalTimesteps);
