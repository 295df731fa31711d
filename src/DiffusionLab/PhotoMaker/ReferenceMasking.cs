using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// PhotoMaker's training-time reference masking (photomaker.md §1.1): every pixel outside the person's body mask is
/// replaced by random noise "to eliminate the influence of other IDs and the background". FastComposer fills with
/// uniform random integers in [0, 255); in our [−1, 1] range that is U[−1, 1).
/// </summary>
public static class ReferenceMasking
{
    /// <summary>Images (N, 3, H, W) in [−1, 1] with pixels where <paramref name="masks"/> (N, 1, H, W) is 0 drawn from U[−1, 1) on <paramref name="generator"/>.</summary>
    public static Tensor FillOutsideMask(Tensor images, Tensor masks, Generator generator)
    {
        if (images.dim() != 4 || masks.dim() != 4 || masks.shape[0] != images.shape[0] || masks.shape[1] != 1
            || masks.shape[2] != images.shape[2] || masks.shape[3] != images.shape[3])
            throw new ArgumentException($"images [{string.Join(", ", images.shape)}] and masks [{string.Join(", ", masks.shape)}]: expected (N, C, H, W) and (N, 1, H, W)");
        using var scope = NewDisposeScope();
        var noise = torch.rand(images.shape, dtype: ScalarType.Float32, generator: generator).to(images.device) * 2 - 1; // (N, C, H, W)
        var keep = masks.to(images.device).ne(0);                                                                      // (N, 1, H, W)
        return where(keep, images, noise.to(images.dtype)).MoveToOuterDisposeScope();                                   // (N, C, H, W)
    }
}
