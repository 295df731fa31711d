using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Diffusion;

/// <summary>
/// The random draws of a denoising training step, all from one CPU generator (then moved to the
/// data's device) so that CPU and CUDA runs see the same numbers and a saved generator state
/// reproduces them.
/// </summary>
public static class TrainingDraws
{
    /// <summary>t ~ Uniform{0..T−1} (IDDPM UniformSampler).</summary>
    public static Tensor Timesteps(long batch, int numTimesteps, Generator generator, Device device) =>
        torch.randint(0, numTimesteps, [batch], dtype: ScalarType.Int64, generator: generator).to(device);

    public static Tensor Noise(Tensor like, Generator generator) =>
        torch.randn(like.shape, dtype: ScalarType.Float32, generator: generator).to(like.dtype).to(like.device);

    /// <summary>
    /// Classifier-free guidance training: each condition (a class index of (N), or a row of token ids of (N, L))
    /// becomes <paramref name="nullCondition"/> (a scalar null class, or the (L) ids of the empty prompt) with
    /// probability p. One draw per item either way, so the generator advances the same for both kinds.
    /// </summary>
    public static Tensor DropConditions(Tensor conditions, double probability, Tensor nullCondition, Generator generator)
    {
        if (probability <= 0) return conditions;
        var shape = new long[conditions.dim()];
        Array.Fill(shape, 1L);
        shape[0] = conditions.shape[0];
        var drop = (torch.rand([conditions.shape[0]], generator: generator) < probability).to(conditions.device).view(shape);
        return torch.where(drop, nullCondition.to(conditions.dtype).to(conditions.device), conditions);
    }
}
