using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// Token layout of a p×p patch grid (mdt.md §2 unpatchify): token = row·w + col, and each token's
/// vector is ordered [pi][pj][channel] with the channel fastest.
/// </summary>
public static class Patches
{
    /// <summary>(N, C, H, W) → (N, (H/p)·(W/p), p·p·C).</summary>
    public static Tensor Patchify(Tensor x, int patchSize)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2] / patchSize, w = x.shape[3] / patchSize;
        using var grid = x.reshape(n, c, h, patchSize, w, patchSize);                    // (N, C, h, p, w, q)
        using var ordered = grid.permute(0, 2, 4, 3, 5, 1);                               // (N, h, w, p, q, C)
        return ordered.reshape(n, h * w, patchSize * patchSize * c);                      // (N, T, p·p·C)
    }

    /// <summary>(N, T, p·p·C) with T a square → (N, C, h·p, w·p); einsum nhwpqc→nchpwq.</summary>
    public static Tensor Unpatchify(Tensor tokens, int patchSize, int channels)
    {
        long n = tokens.shape[0], side = (long)Math.Round(Math.Sqrt(tokens.shape[1]));
        if (side * side != tokens.shape[1]) throw new ArgumentException($"tokens: {tokens.shape[1]} is not a square number of patches");
        using var grid = tokens.reshape(n, side, side, patchSize, patchSize, channels);   // (N, h, w, p, q, C)
        using var ordered = grid.permute(0, 5, 1, 3, 2, 4);                               // (N, C, h, p, w, q)
        return ordered.reshape(n, channels, side * patchSize, side * patchSize);          // (N, C, H, W)
    }
}
