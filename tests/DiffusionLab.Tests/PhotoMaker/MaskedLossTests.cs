using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.PhotoMaker;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>photomaker.md §2.2 masked diffusion loss and §1.1 noise-filled references.</summary>
public class MaskedLossTests
{
    private static (Tensor X0, Tensor T, Tensor Noise, Tensor Mask) Batch()
    {
        var g = new Generator(3, CPU);
        var x0 = rand([2, 3, 8, 8], generator: g) * 2 - 1;
        var noise = randn([2, 3, 8, 8], generator: g);
        var mask = zeros(2, 1, 8, 8);
        mask[.., .., .., ..4] = tensor(1f); // the left half is the person
        return (x0, tensor(new long[] { 10, 600 }), noise, mask);
    }

    [Fact]
    public void AnErrorOnlyOutsideTheMaskCostsNothingUnderTheMask()
    {
        var diffusion = new GaussianDiffusion(BetaSchedule.Linear(1000), learnSigma: false);
        var (x0, t, noise, mask) = Batch();
        var outside = randn(2, 3, 8, 8) * (1 - mask);
        var masked = diffusion.TrainingLosses(_ => noise + outside, x0, t, noise, LossWeighting.None, mask);
        Assert.True(masked.Mse.eq(0).all().item<bool>());
        var plain = diffusion.TrainingLosses(_ => noise + outside, x0, t, noise, LossWeighting.None);
        Assert.True((plain.Mse > 0.1).all().item<bool>());

        // Inside the mask it costs the squared error averaged over ALL elements (FastComposer: not normalised by area).
        var inside = randn(2, 3, 8, 8) * mask;
        var m = diffusion.TrainingLosses(_ => noise + inside, x0, t, noise, LossWeighting.None, mask);
        Assert.True(m.Mse.allclose(inside.square().flatten(1).mean([1L]), rtol: 1e-5));
        Assert.True(m.Mse.allclose(diffusion.TrainingLosses(_ => noise + inside, x0, t, noise, LossWeighting.None).Mse, rtol: 1e-5));
    }

    [Fact]
    public void WithALearnedVarianceTheVbTermIsMaskedToo()
    {
        var diffusion = new GaussianDiffusion(BetaSchedule.Linear(1000), learnSigma: true);
        var (x0, t, noise, mask) = Batch();
        var v = randn(2, 3, 8, 8);
        Tensor Model(Tensor outside) => cat([noise + outside, v], 1);
        var nothing = diffusion.TrainingLosses(_ => Model(zeros(2, 3, 8, 8)), x0, t, noise, LossWeighting.None, zeros(2, 1, 8, 8));
        Assert.True(nothing.Loss.eq(0).all().item<bool>(), "an all-zero mask leaves no loss at all");
        var half = diffusion.TrainingLosses(_ => Model(zeros(2, 3, 8, 8)), x0, t, noise, LossWeighting.None, mask);
        var full = diffusion.TrainingLosses(_ => Model(zeros(2, 3, 8, 8)), x0, t, noise, LossWeighting.None);
        Assert.True((half.Vb > 0).all().item<bool>() && (half.Vb < full.Vb).all().item<bool>());
    }

    [Fact]
    public void NoiseFillingKeepsThePersonAndReplacesTheRest()
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 2, HeldOutIdentities = 0, ImageSize = 16, ImagesPerIdentity = 4 });
        var images = stack([world.Render(0, 0).ToTensor(), world.Render(1, 2).ToTensor()]);
        var masks = stack([world.Render(0, 0).MaskTensor(), world.Render(1, 2).MaskTensor()]);
        var filled = ReferenceMasking.FillOutsideMask(images, masks, new Generator(1, CPU));
        var person = masks.expand_as(images).ne(0);
        Assert.True(filled.masked_select(person).eq(images.masked_select(person)).all().item<bool>(), "person pixels must be kept exactly");
        var background = filled.masked_select(person.logical_not());
        Assert.True(background.numel() > 100);
        Assert.True(background.ne(images.masked_select(person.logical_not())).to(ScalarType.Float32).mean().item<float>() > 0.99f);
        Assert.True((background >= -1).all().item<bool>() && (background < 1).all().item<bool>());
        Assert.True(filled.eq(ReferenceMasking.FillOutsideMask(images, masks, new Generator(1, CPU))).all().item<bool>(), "seeded");
        Assert.False(filled.eq(ReferenceMasking.FillOutsideMask(images, masks, new Generator(2, CPU))).all().item<bool>());
    }
}
