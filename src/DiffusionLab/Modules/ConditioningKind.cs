namespace DiffusionLab.Modules;

/// <summary>What a denoiser is conditioned on besides the timestep.</summary>
public enum ConditioningKind
{
    /// <summary>A class index (N) through a label embedding (DiT/MDT on ImageNet, MNIST digits).</summary>
    ClassLabel,
    /// <summary>A prompt's token ids (N, L) through a text encoder trained with the network, read by cross-attention.</summary>
    Text,
}
