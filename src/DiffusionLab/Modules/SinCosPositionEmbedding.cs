using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// MAE 2-D sin-cos position table (mdt.md §2): the first D/2 channels encode the column (w), the
/// last D/2 the row (h); each half is [sin(pos·ω), cos(pos·ω)] with ω_i = 10000^(−i/(D/4)).
/// </summary>
public static class SinCosPositionEmbedding
{
    /// <summary>(grid², embedDim) float64 table, tokens row-major.</summary>
    public static Tensor Table(int embedDim, int gridSize)
    {
        if (embedDim % 4 != 0) throw new ArgumentException($"embedDim={embedDim}: expected a multiple of 4");
        using var scope = NewDisposeScope();
        var coords = arange(gridSize, dtype: ScalarType.Float64);
        var row = coords.repeat_interleave(gridSize);                // (T) h of token h·g+w
        var col = coords.repeat(gridSize);                           // (T) w
        var table = cat([OneDimensional(embedDim / 2, col), OneDimensional(embedDim / 2, row)], dim: 1); // (T, D)
        return table.MoveToOuterDisposeScope();
    }

    /// <summary>(M) positions → (M, dim) [sin, cos] in float64.</summary>
    public static Tensor OneDimensional(int dim, Tensor positions)
    {
        using var scope = NewDisposeScope();
        var omega = arange(dim / 2, dtype: ScalarType.Float64, device: positions.device) / (dim / 2.0); // (dim/2), beside the positions (a CUDA clip's frames)
        omega = exp(-Math.Log(10000.0) * omega);                               // 1 / 10000^(i/(dim/2))
        var outer = positions.to(ScalarType.Float64).reshape(-1, 1) * omega.unsqueeze(0); // (M, dim/2)
        return cat([sin(outer), cos(outer)], dim: 1).MoveToOuterDisposeScope();
    }
}
