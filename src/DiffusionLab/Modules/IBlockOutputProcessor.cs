using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// Transforms a block's output tokens before the next block sees them, for one forward call: the hook through which
/// layers are inserted between a network's blocks (e.g. temporal attention that makes an image network draw clips)
/// without the network knowing them. Like <see cref="SelfAttentionHooks"/>, the network keeps nothing of it.
/// </summary>
public interface IBlockOutputProcessor
{
    /// <summary><paramref name="x"/> (B, K, D): the output of block <paramref name="blockName"/> ("de_blocks.0"); returns (B, K, D).</summary>
    Tensor After(string blockName, Tensor x);
}
