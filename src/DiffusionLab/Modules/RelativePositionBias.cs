using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// BEiT-style learnable 2-D relative position bias used by MDT attention (mdt.md §2). Table
/// [(2g−1)²+3, H] (the 3 extra rows are BEiT cls leftovers, never indexed); persistent int64 buffer
/// <c>relative_position_index</c> [T, T] with idx = (hi−hj+g−1)(2g−1) + (wi−wj+g−1).
/// </summary>
public sealed class RelativePositionBias : nn.Module
{
    private readonly Parameter relative_position_bias_table;
    private readonly Tensor relative_position_index;

    public RelativePositionBias(int gridSize, int numHeads, Device? device = null) : base(nameof(RelativePositionBias))
    {
        GridSize = gridSize;
        NumHeads = numHeads;
        int rows = (2 * gridSize - 1) * (2 * gridSize - 1) + 3;
        relative_position_bias_table = new Parameter(empty(rows, numHeads, device: device));
        relative_position_index = Index(gridSize).to(device ?? CPU);
        register_parameter(nameof(relative_position_bias_table), relative_position_bias_table);
        register_buffer(nameof(relative_position_index), relative_position_index, persistent: true);
        using var _ = no_grad();
        // timm trunc_normal_(std=0.02) truncates at ±2 absolute, i.e. 100σ: a plain normal, clamped for form.
        nn.init.normal_(relative_position_bias_table, 0.0, 0.02);
        relative_position_bias_table.clamp_(-2.0, 2.0);
    }

    public int GridSize { get; }
    public int NumHeads { get; }

    /// <summary>The [T, T] int64 index into the table for a g×g grid of row-major tokens.</summary>
    public static Tensor Index(int gridSize)
    {
        using var scope = NewDisposeScope();
        var coords = arange(gridSize, dtype: ScalarType.Int64);
        var h = coords.repeat_interleave(gridSize);             // (T)
        var w = coords.repeat(gridSize);                        // (T)
        var dh = h.unsqueeze(1) - h.unsqueeze(0) + (gridSize - 1); // (T, T)
        var dw = w.unsqueeze(1) - w.unsqueeze(0) + (gridSize - 1); // (T, T)
        return (dh * (2 * gridSize - 1) + dw).MoveToOuterDisposeScope();
    }

    /// <summary>(H, T, T) bias for all tokens: bias[h, i, j] = table[idx[i, j], h].</summary>
    public Tensor Bias()
    {
        long t = relative_position_index.shape[0];
        using var flat = relative_position_bias_table.index_select(0, relative_position_index.view(-1)); // (T·T, H)
        return flat.view(t, t, -1).permute(2, 0, 1).contiguous();                                         // (H, T, T)
    }

    /// <summary>
    /// (B, H, K, K) bias between the kept tokens, in <paramref name="idsKeep"/> (B, K) order on both axes.
    /// Gathers the int64 index first, so the (B, H, T, T) table is never built.
    /// </summary>
    public Tensor GatherBias(Tensor idsKeep)
    {
        using var scope = NewDisposeScope();
        long b = idsKeep.shape[0], k = idsKeep.shape[1];
        var ids = idsKeep.to(relative_position_index.device);
        var rows = relative_position_index.index_select(0, ids.reshape(-1)).view(b, k, -1);  // (B, K, T)
        var kept = rows.gather(2, ids.unsqueeze(1).expand(b, k, k));                          // (B, K, K)
        var bias = relative_position_bias_table.index_select(0, kept.reshape(-1));           // (B·K·K, H)
        return bias.view(b, k, k, -1).permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope(); // (B, H, K, K)
    }
}
