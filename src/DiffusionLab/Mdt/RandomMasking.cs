using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Mdt;

/// <summary>
/// MAE per-sample random masking (mdt.md §3): argsort of uniform noise per sample, keep the first
/// floor(L·(1−r)) of the shuffle.
/// </summary>
public static class RandomMasking
{
    public static MaskingResult Draw(long batch, int numTokens, double ratio, Device device, torch.Generator? generator)
    {
        if (ratio is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "mask ratio: expected a value in [0, 1)");
        int keep = KeptTokens(numTokens, ratio);
        using var scope = NewDisposeScope();
        // A generator draws on its own device; the result moves to the model's device.
        var noise = rand(new long[] { batch, numTokens }, generator: generator, device: generator?.device ?? device).to(device); // (N, L)
        var idsShuffle = noise.argsort(dim: 1);                              // (N, L) small noise = keep
        var idsRestore = idsShuffle.argsort(dim: 1);                         // (N, L)
        var idsKeep = idsShuffle[.., ..keep].contiguous();                   // (N, K)
        var mask = ones(batch, numTokens, device: device);                   // (N, L) in shuffled order
        mask[.., ..keep] = 0;
        mask = mask.gather(1, idsRestore);                                   // (N, L) original order, 1 = masked
        return new MaskingResult(idsKeep.MoveToOuterDisposeScope(), idsRestore.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <summary>len_keep = int(L·(1−r)), floored as the official code does.</summary>
    public static int KeptTokens(int numTokens, double ratio) => (int)Math.Floor(numTokens * (1 - ratio));
}
