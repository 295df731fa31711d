using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Text;

/// <summary>
/// The empty prompt (BOS, EOS, pads): the unconditional input of classifier-free guidance and what
/// a caption is replaced by under condition dropout (photomaker.md §7: 10% null-text dropout).
/// </summary>
public static class NullPrompt
{
    public static EncodedText Encode(int maxLength) => new EncodedText([WordTokenizer.BosId, WordTokenizer.EosId], [null, null], truncated: false).Fit(maxLength);

    /// <summary>Ids (B, maxLength) int64 of B empty prompts.</summary>
    public static Tensor Ids(long batchSize, int maxLength, Device? device = null) =>
        tensor(Encode(maxLength).Ids.ToArray(), [1, maxLength], ScalarType.Int64, device).expand(batchSize, maxLength).contiguous();

    /// <summary>Ids (B, L) with the rows where <paramref name="drop"/> (B) bool is true replaced by the empty prompt.</summary>
    public static Tensor Apply(Tensor ids, Tensor drop)
    {
        using var scope = NewDisposeScope();
        var empty = Ids(ids.shape[0], (int)ids.shape[1], ids.device);                     // (B, L)
        return where(drop.to(ids.device).view(-1, 1), empty, ids).MoveToOuterDisposeScope(); // (B, L)
    }
}
