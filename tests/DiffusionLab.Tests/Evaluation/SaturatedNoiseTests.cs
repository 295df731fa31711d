using DiffusionLab.Data;
using DiffusionLab.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Evaluation;

public class SaturatedNoiseTests
{
    [Fact]
    public void Real_test_digits_are_not_saturated_noise_although_most_of_their_pixels_are_saturated()
    {
        using var test = Mnist10k.Load(MnistSplit.Test);
        // The black background sits at −1: saturation alone would call every digit a blow-up.
        Assert.True(SaturatedNoise.MeanSaturatedPixelFraction(test.Images) > SaturatedNoise.MinSaturatedPixels);
        Assert.Equal(0.0, SaturatedNoise.Fraction(test.Images));
        using var jumps = SaturatedNoise.JumpFraction(test.Images);
        using var maxJumps = jumps.max();
        Assert.True(maxJumps.item<float>() < 0.8 * SaturatedNoise.MinJumpPairs, $"largest jump fraction of a test digit {maxJumps.item<float>():F3}");
        using var bright = SaturatedNoise.BrightPixelFraction(test.Images);
        using var maxBright = bright.max();
        Assert.True(maxBright.item<float>() < 0.5 * SaturatedNoise.MinBrightPixels, $"largest bright fraction of a test digit {maxBright.item<float>():F3}");
    }

    [Fact]
    public void Random_plus_minus_one_noise_is_saturated_noise()
    {
        using var bits = torch.randint(0, 2, new long[] { 50, 1, 32, 32 }, generator: new Generator(3));
        using var noise = bits.to(ScalarType.Float32).mul(2).sub(1);
        Assert.Equal(1.0, SaturatedNoise.Fraction(noise));
        using var jumps = SaturatedNoise.JumpFraction(noise);
        using var mean = jumps.mean();
        Assert.InRange(mean.item<float>(), 0.45, 0.55);
    }

    [Fact]
    public void Smooth_or_unsaturated_images_are_not_saturated_noise()
    {
        using var black = torch.full(new long[] { 1, 1, 32, 32 }, -1f);
        // Saturated but smooth: left half black, right half white (one jump per row).
        using var halves = torch.cat(new[] { torch.full(new long[] { 1, 1, 32, 16 }, -1f), torch.full(new long[] { 1, 1, 32, 16 }, 1f) }, 3);
        // High-frequency but not saturated: a ±0.6 checkerboard jumps by 1.2 at every pair.
        using var ramp = torch.arange(32, dtype: ScalarType.Float32);
        using var checker = (ramp.view(32, 1) + ramp.view(1, 32)).remainder(2).mul(1.2f).sub(0.6f).view(1, 1, 32, 32);
        using var all = torch.cat(new[] { black, halves, checker });
        using var flags = SaturatedNoise.IsSaturatedNoise(all);
        Assert.Equal(new[] { false, false, false }, flags.data<bool>().ToArray());
        using var jumps = SaturatedNoise.JumpFraction(checker);
        Assert.Equal(1.0, jumps.item<float>(), 6);
        using var saturated = SaturatedNoise.SaturatedPixelFraction(black);
        Assert.Equal(1.0, saturated.item<float>(), 6);
    }

    [Fact]
    public void A_washed_out_image_is_saturated_noise_even_when_smooth()
    {
        // 3/4 white, 1/4 black: one jump per row, but a digit is never mostly white.
        using var white = torch.cat(new[] { torch.full(new long[] { 1, 1, 32, 8 }, -1f), torch.full(new long[] { 1, 1, 32, 24 }, 1f) }, 3);
        Assert.Equal(1.0, SaturatedNoise.Fraction(white));
        using var bright = SaturatedNoise.BrightPixelFraction(white);
        Assert.Equal(0.75, bright.item<float>(), 6);
    }

    [Fact]
    public void A_batch_mixing_digits_and_noise_counts_the_noise()
    {
        using var test = Mnist10k.Load(MnistSplit.Test);
        using var digits = test.Images.narrow(0, 0, 6);
        using var bits = torch.randint(0, 2, new long[] { 2, 1, 32, 32 }, generator: new Generator(5));
        using var noise = bits.to(ScalarType.Float32).mul(2).sub(1);
        using var batch = torch.cat(new[] { digits, noise });
        Assert.Equal(0.25, SaturatedNoise.Fraction(batch), 6);
    }

    [Fact]
    public void Wrong_shape_is_rejected()
    {
        using var flat = torch.zeros(4, 32);
        Assert.Throws<ArgumentException>(() => SaturatedNoise.Fraction(flat));
    }
}
