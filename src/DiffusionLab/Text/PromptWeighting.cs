using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Text;

/// <summary>
/// Prompt weighting on encoded tokens, after AUTOMATIC1111 (sd_hijack_clip process_tokens): multiply each
/// token vector by its weight, then rescale the row so that it keeps its overall size. A1111 restores the
/// row's mean value; for an encoder ending in a LayerNorm that mean is only the mean of the LayerNorm bias,
/// near zero, and dividing by it is unstable, so the size kept here is the mean L2 norm of the row's token
/// vectors instead (per row: rows of a batch are different prompts). Weights all 1 change nothing.
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
        var before = tokens.norm(-1).mean([1], keepdim: true).unsqueeze(-1);           // (B, 1, 1)
        var weighted = tokens * w;                                                      // (B, L, D)
        var after = weighted.norm(-1).mean([1], keepdim: true).unsqueeze(-1);          // (B, 1, 1)
        var scale = where(after == 0, ones_like(after), before / after);                // (B, 1, 1)
        return (weighted * scale).MoveToOuterDisposeScope();                            // (B, L, D)
    }
}
