using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// A class-conditional diffusion network: forward(x_t (N,C,H,W), t (N) original timesteps 0..T-1,
/// y (N) labels with NumClasses = null) → (N, OutChannels, H, W), ε first, then the variance value v.
/// Label dropout is not applied inside: the training objective replaces labels by the null class.
/// </summary>
public abstract class Denoiser : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    protected Denoiser(string name, DenoiserConfig config) : base(name)
    {
        var problems = config.Problems();
        if (problems.Count > 0) throw new ArgumentException($"model config: {problems[0]}");
        Config = config;
    }

    public DenoiserConfig Config { get; }

    /// <summary>
    /// The condition of the unconditional pass, broadcastable against a batch of conditions: the null class
    /// index NumClasses (a 0-dim int64 tensor) for class-conditional networks. The caller owns it.
    /// </summary>
    public virtual Tensor NullCondition() => torch.tensor((long)Config.NumClasses);
}
