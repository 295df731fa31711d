using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation;

/// <summary>
/// Sharpness as the variance of the Laplacian (Pech-Pacheco et al. 2000, the usual focus measure): blur removes the
/// high frequencies the Laplacian responds to, so its variance falls; noise adds them, so it rises. Per image: the
/// luminance (Rec. 601 weights) in grey levels 0–255, the 4-neighbour Laplacian over the interior pixels (no padding,
/// so the border adds no edges), and its population variance.
/// </summary>
public static class LaplacianSharpness
{
    /// <summary>(N,3,H,W) in [−1,1] → (N) float64 on the CPU.</summary>
    public static Tensor PerImage(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] < 3 || images.shape[3] < 3)
            throw new ArgumentException($"images: expected (N,3,H,W) with H, W >= 3 in [−1,1], got [{string.Join(", ", images.shape)}]");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var rgb = images.detach().cpu().to(ScalarType.Float64).add(1).mul(127.5);                       // (N,3,H,W) grey levels
        var weights = tensor(new[] { 0.299, 0.587, 0.114 }, ScalarType.Float64).view(1, 3, 1, 1);
        var luminance = (rgb * weights).sum(1, keepdim: true);                                          // (N,1,H,W)
        var kernel = tensor(new double[] { 0, 1, 0, 1, -4, 1, 0, 1, 0 }, ScalarType.Float64).view(1, 1, 3, 3);
        var laplacian = nn.functional.conv2d(luminance, kernel).flatten(1);                             // (N,(H−2)(W−2))
        return laplacian.var(1, unbiased: false).MoveToOuterDisposeScope();                             // (N)
    }

    /// <summary>The mean of <see cref="PerImage"/> over the images.</summary>
    public static double Mean(Tensor images)
    {
        using var per = PerImage(images);
        using var mean = per.mean();
        return mean.item<double>();
    }
}
