using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation;

/// <summary>
/// Counts generated images that are sampling blow-ups: tiles pinned at ±1, either as a high-frequency speckle or washed
/// out to white, as opposed to a digit (whose background is also at −1, so saturation alone does not tell them apart).
/// An image is saturated noise when
/// <list type="bullet">
/// <item>more than <see cref="MinSaturatedPixels"/> of its pixels have |x| &gt; <see cref="PixelThreshold"/> and more than
/// <see cref="MinJumpPairs"/> of its horizontally and vertically adjacent pixel pairs differ by more than
/// <see cref="JumpThreshold"/> (half of the range [−1, 1]): it flips between dark and bright from pixel to pixel; or</item>
/// <item>more than <see cref="MinBrightPixels"/> of its pixels have x &gt; <see cref="PixelThreshold"/>: it is washed out.</item>
/// </list>
/// Calibration on the 2,000 MNIST-10k test digits (32×32, in [−1, 1]): the largest jump fraction of a digit is 0.071
/// and the largest bright fraction 0.183, so no digit is counted (a test checks it); uniform ±1 noise jumps at about
/// half its pairs.
/// </summary>
public static class SaturatedNoise
{
    public const double PixelThreshold = 0.98;
    public const double JumpThreshold = 1.0;
    public const double MinSaturatedPixels = 0.5;
    public const double MinJumpPairs = 0.1;
    public const double MinBrightPixels = 0.5;

    /// <summary>(N,C,H,W) in [−1,1] → (N) fraction of each image's pixels with |x| &gt; <see cref="PixelThreshold"/>.</summary>
    public static Tensor SaturatedPixelFraction(Tensor images)
    {
        CheckShape(images);
        using var scope = torch.NewDisposeScope();
        var x = images.detach().to(ScalarType.Float32);
        return x.abs().gt(PixelThreshold).to(ScalarType.Float32).flatten(1).mean(new long[] { 1 }).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>(N,C,H,W) → (N) fraction of each image's horizontally and vertically adjacent pixel pairs that differ by more than <see cref="JumpThreshold"/>.</summary>
    public static Tensor JumpFraction(Tensor images)
    {
        CheckShape(images);
        using var scope = torch.NewDisposeScope();
        var x = images.detach().to(ScalarType.Float32);
        long h = x.shape[2], w = x.shape[3];
        var horizontal = (x.narrow(3, 1, w - 1) - x.narrow(3, 0, w - 1)).abs().gt(JumpThreshold).flatten(1).sum(1);
        var vertical = (x.narrow(2, 1, h - 1) - x.narrow(2, 0, h - 1)).abs().gt(JumpThreshold).flatten(1).sum(1);
        double pairs = x.shape[1] * (h * (w - 1) + (h - 1) * w);
        return ((horizontal + vertical).to(ScalarType.Float32) / pairs).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>(N,C,H,W) in [−1,1] → (N) fraction of each image's pixels with x &gt; <see cref="PixelThreshold"/>.</summary>
    public static Tensor BrightPixelFraction(Tensor images)
    {
        CheckShape(images);
        using var scope = torch.NewDisposeScope();
        var x = images.detach().to(ScalarType.Float32);
        return x.gt(PixelThreshold).to(ScalarType.Float32).flatten(1).mean(new long[] { 1 }).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>(N,C,H,W) in [−1,1] → (N) booleans: which images are saturated noise (see the class summary).</summary>
    public static Tensor IsSaturatedNoise(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var speckle = SaturatedPixelFraction(images).gt(MinSaturatedPixels).logical_and(JumpFraction(images).gt(MinJumpPairs));
        var washedOut = BrightPixelFraction(images).gt(MinBrightPixels);
        return speckle.logical_or(washedOut).MoveToOuterDisposeScope();
    }

    /// <summary>The fraction of the images that are saturated noise.</summary>
    public static double Fraction(Tensor images)
    {
        using var flags = IsSaturatedNoise(images);
        using var mean = flags.to(ScalarType.Float32).mean();
        return mean.item<float>();
    }

    /// <summary>The mean over images of <see cref="SaturatedPixelFraction"/>.</summary>
    public static double MeanSaturatedPixelFraction(Tensor images)
    {
        using var perImage = SaturatedPixelFraction(images);
        using var mean = perImage.mean();
        return mean.item<float>();
    }

    private static void CheckShape(Tensor images)
    {
        if (images.dim() != 4 || images.shape[0] < 1 || images.shape[2] < 2 || images.shape[3] < 2)
            throw new ArgumentException($"images: expected (N,C,H,W) with N ≥ 1 and H, W ≥ 2, got [{string.Join(", ", images.shape)}]");
    }
}
