using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Text;

/// <summary>
/// AUTOMATIC1111's prompt weighting on encoded tokens (sd_hijack_clip process_tokens): multiply each
/// token vector by its weight, then rescale the row so its mean over all positions and channels is
/// what it was. Per row here, since rows of a batch are different prompts (A1111 takes one mean per
/// chunk). Ill-conditioned when a row's weighted mean is near 0 (a LayerNorm output's mean is only
/// its bias mean); a row whose weighted mean is exactly 0 is left unscaled.
/// </summary>
public static class PromptWeighting
{
    /// <summary>tokens (B, L, D), weights (B, L) → (B, L, D).</summary>
    public static Tensor Apply(Tensor tokens, Tensor weights)
    {
        if (tokens.dim() != 3 || weights.dim() != 2 || weights.shape[0] != tokens.shape[0] || weights.shape[1] != tokens.shape[1])
            throw new ArgumentException($"expected tokens (B, L, D) and weights (B, L), got [{string.Join(", ", tokens.shape)}] and [{string.Join(", ", weights.shape)}]");
        using var scope = NewDisposeScope();
        var w = weights.to(tokens.device).to(tokens.dtype).unsqueeze(-1);              // (B, L, 1)
        var before = tokens.mean([1, 2], keepdim: true);                                // (B, 1, 1)
        var weighted = tokens * w;                                                      // (B, L, D)
        var after = weighted.mean([1, 2], keepdim: true);                               // (B, 1, 1)
        var scale = where(after == 0, ones_like(after), before / after);                // (B, 1, 1)
        return (weighted * scale).MoveToOuterDisposeScope();                            // (B, L, D)
    }
}
