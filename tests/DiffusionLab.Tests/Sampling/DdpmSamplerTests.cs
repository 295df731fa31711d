using DiffusionLab.Diffusion;
using DiffusionLab.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Sampling;

public class DdpmSamplerTests
{
    [Fact]
    public void TheSameSeedsReproduceTheSample()
    {
        using var scope = torch.NewDisposeScope();
        var spaced = SpacedDiffusion.Create(BetaSchedule.Linear(1000), "10");
        var sampler = new DdpmSampler();
        long[] shape = [2, 4, 4, 4];
        Tensor Run(long first)
        {
            using var noise = ImageNoise.Consecutive(first, 2);
            return sampler.Sample(spaced, DdimSamplerTests.Analytic, noise.Draw(shape, torch.CPU), noise);
        }
        var a = Run(42);
        var b = Run(42);
        var c = Run(44);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.False(a.equal(c).all().item<bool>());
        Assert.Equal(shape, a.shape);
        Assert.True(a.isfinite().all().item<bool>());
    }

    [Fact]
    public void NoNoiseIsAddedAtIndexZero()
    {
        using var scope = torch.NewDisposeScope();
        var spaced = SpacedDiffusion.Create(BetaSchedule.Linear(1000), "250");
        var x = torch.randn(3, 4, 4, 4);
        var output = torch.randn(3, 8, 4, 4);
        var t = torch.tensor(new long[] { 0, 0, 5 });
        var sampler = new DdpmSampler();
        var mean = spaced.Diffusion.PMeanVariance(output, x, t).Mean;
        var noisy = sampler.Step(spaced.Diffusion, output, x, t, torch.randn_like(x));
        Assert.True(noisy.narrow(0, 0, 2).equal(mean.narrow(0, 0, 2)).all().item<bool>());
        Assert.False(noisy[2].allclose(mean[2]));
    }

    [Fact]
    public void StepIsMeanPlusSigmaTimesNoise()
    {
        using var scope = torch.NewDisposeScope();
        var d = new GaussianDiffusion(BetaSchedule.Linear(1000));
        var x = torch.randn(1, 4, 2, 2);
        var output = torch.randn(1, 8, 2, 2);
        var t = torch.tensor(new long[] { 500 });
        var noise = torch.randn_like(x);
        var p = d.PMeanVariance(output, x, t);
        var next = new DdpmSampler().Step(d, output, x, t, noise);
        Assert.True(next.allclose(p.Mean + p.Variance.sqrt() * noise, rtol: 1e-5, atol: 1e-6));
    }
}
