using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// Computes a block's self-attention in place of the plain one, for one forward call (the hook through
/// which e.g. StoryDiffusion's consistent self-attention plugs in without the network knowing it).
/// </summary>
public interface ISelfAttentionProcessor
{
    /// <summary>
    /// <paramref name="x"/> (B, K, D): the normalised, modulated tokens block <paramref name="blockName"/> attends
    /// over; returns (B, K, D) in place of <c>attention.forward(x)</c>. <see cref="Attention.Attend"/> gives the
    /// block's own projections with extra key/value tokens.
    /// </summary>
    Tensor Attend(string blockName, Attention attention, Tensor x);
}
