using static TorchSharp.torch;

namespace DiffusionLab.Text;

/// <summary>
/// Output of the <see cref="TextEncoder"/>: Tokens (B, L, D) after the final LayerNorm, Pooled (B, D)
/// the token at each row's EOS (CLIP's pooled output), PaddingMask (B, L) bool, true on real tokens
/// (BOS, words, EOS) and false on pads. Owns its tensors.
/// </summary>
public sealed record TextEmbedding(Tensor Tokens, Tensor Pooled, Tensor PaddingMask) : IDisposable
{
    public void Dispose()
    {
        Tokens.Dispose();
        Pooled.Dispose();
        PaddingMask.Dispose();
    }
}
