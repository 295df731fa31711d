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

    /// <summary>Classifier-free guidance training: each label becomes the null class with probability p.</summary>
    public static Tensor DropLabels(Tensor labels, double probability, long nullClass, Generator generator)
    {
        if (probability <= 0) return labels;
        var drop = (torch.rand([labels.shape[0]], generator: generator) < probability).to(labels.device);
        return torch.where(drop, torch.full_like(labels, nullClass), labels);
    }
}
