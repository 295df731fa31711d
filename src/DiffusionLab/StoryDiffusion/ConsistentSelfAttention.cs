using DiffusionLab.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// Consistent self-attention for one network call at one denoising step (storydiffusion.md §2.1; the index
/// version §2.3 B and §2.9): image i keeps its queries, and its keys/values come from its own tokens plus tokens
/// sampled from the other images (Write, Batch) or from the character banks (Read), through the block's own
/// projections; no new weights. The token samples are drawn once per step and shared by the blocks; each
/// block call flips its own coin against the schedule's probability. Classifier-free guidance halves
/// ([cond; uncond] on the batch axis) never see each other. Plugs into the network through
/// <see cref="SelfAttentionHooks"/>; the network knows nothing of it.
/// </summary>
public sealed class ConsistentSelfAttention : ISelfAttentionProcessor
{
    private readonly ConsistentAttentionMode _mode;
    private readonly IReadOnlyList<CharacterBank> _banks;
    private readonly long _step;
    private readonly double _probability;
    private readonly IReadOnlyList<Tensor> _sampled;
    private readonly int _halves;
    private readonly Random _coins;

    /// <param name="mode">Write (fills <paramref name="banks"/>[0]), Read (reads every bank) or Batch.</param>
    /// <param name="banks">Write: the one bank to fill; Read: the banks of the characters in the panel; Batch: none.</param>
    /// <param name="step">The key of this denoising step in the banks (the original timestep).</param>
    /// <param name="probability">P(CSA) of each block call at this step (the schedule's).</param>
    /// <param name="sampledIndices">Write and Batch: per image, the indices (k) of its tokens the others see.</param>
    /// <param name="halves">2 when the batch is [cond; uncond] for guidance, else 1.</param>
    /// <param name="coins">The per-call coins, owned by the generation.</param>
    public ConsistentSelfAttention(ConsistentAttentionMode mode, IReadOnlyList<CharacterBank> banks, long step, double probability,
        IReadOnlyList<Tensor> sampledIndices, int halves, Random coins)
    {
        if (mode == ConsistentAttentionMode.Write && banks.Count != 1) throw new ArgumentException("write mode fills exactly one character bank");
        if (halves is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(halves), halves, "expected 1 or 2 guidance halves");
        (_mode, _banks, _step, _probability, _sampled, _halves, _coins) = (mode, banks, step, probability, sampledIndices, halves, coins);
    }

    public Tensor Attend(string blockName, Attention attention, Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0] / _halves, n = x.shape[1], c = x.shape[2];
        var images = x.view(_halves, b, n, c);                                                     // (H, B, N, C)
        Tensor[] sampled = [];
        if (_mode != ConsistentAttentionMode.Read)
        {
            if (_sampled.Count != b) throw new ArgumentException($"consistent attention: {_sampled.Count} token samples for {b} images");
            sampled = Enumerable.Range(0, (int)b).Select(j => images[.., j].index_select(1, _sampled[j])).ToArray(); // B × (H, k_j, C)
            if (_mode == ConsistentAttentionMode.Write)
                for (int j = 0; j < b; j++) _banks[0].Write(blockName, _step, j, sampled[j]);
        }
        // The coin is flipped after writing: the bank holds every step, as in the official code.
        if (_coins.NextDouble() >= _probability) return attention.forward(x).MoveToOuterDisposeScope();

        Tensor y;
        if (_mode == ConsistentAttentionMode.Read)
        {
            var bank = _banks.SelectMany(k => k.Read(blockName, _step)).ToList();
            if (bank.Count == 0) throw new InvalidOperationException($"consistent attention: no bank tokens for block '{blockName}' at step {_step} (read with the sampler and steps the references were written with)");
            var extra = cat(bank.Select(t => t.to(x.dtype)).ToList(), 1);                        // (H, E, C)
            var queries = images.transpose(0, 1).reshape(b * _halves, n, c);                       // (B·H, N, C)
            var kv = extra.unsqueeze(0).expand(b, -1, -1, -1).reshape(b * _halves, extra.shape[1], c); // (B·H, E, C)
            y = attention.Attend(queries, kv, null).view(b, _halves, n, c).transpose(0, 1);        // (H, B, N, C)
        }
        else
        {
            // An empty (H, 0, C) slice keeps cat defined when there is no other image: plain attention then.
            y = stack(Enumerable.Range(0, (int)b).Select(i =>
                attention.Attend(images[.., i], cat(sampled.Where((_, j) => j != i).Append(images[.., i].narrow(1, 0, 0)).ToList(), 1), null)) // (H, N, C)
                .ToList(), 1);                                                                     // (H, B, N, C)
        }
        return y.reshape(_halves * b, n, c).MoveToOuterDisposeScope();                             // (H·B, N, C)
    }
}
