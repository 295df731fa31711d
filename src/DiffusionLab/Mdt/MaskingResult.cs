using static TorchSharp.torch;

namespace DiffusionLab.Mdt;

/// <summary>
/// One MAE-style random masking of L tokens (mdt.md §3): <paramref name="IdsKeep"/> (N, K) int64
/// kept token indices in shuffled order, <paramref name="IdsRestore"/> (N, L) int64 the inverse
/// shuffle, <paramref name="Mask"/> (N, L) float, 1 = masked, in the original token order.
/// </summary>
public sealed record MaskingResult(Tensor IdsKeep, Tensor IdsRestore, Tensor Mask)
{
    public long KeptTokens => IdsKeep.shape[1];
}
