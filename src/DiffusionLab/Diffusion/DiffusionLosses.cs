using static TorchSharp.torch;

namespace DiffusionLab.Diffusion;

/// <summary>
/// IDDPM hybrid loss per sample (shape N): <see cref="Loss"/> = <see cref="Mse"/> + <see cref="Vb"/>, where Mse is the
/// (weighted) ε-MSE and Vb the variational-bound term in bits (zeros when the variance is not learned).
/// </summary>
public sealed record DiffusionLosses(Tensor Loss, Tensor Mse, Tensor Vb);
