using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Training;

public class ExponentialMovingAverageTests
{
    private static (Tensor Source, Tensor Shadow) Pair()
    {
        var source = torch.randn(2, 3, generator: new Generator(0));
        return (source, torch.zeros(2, 3));
    }

    [Fact]
    public void WithoutWarmupEveryStepUsesTheConfiguredDecay()
    {
        var (source, shadow) = Pair();
        var ema = new ExponentialMovingAverage([(shadow, source)], 0.9);
        var start = shadow.detach().clone();
        using (torch.no_grad()) source.add_(1.0);
        ema.Update(1);
        // θ_ema = 0.9·θ_0 + 0.1·(θ_0 + 1) = θ_0 + 0.1
        Assert.True(shadow.allclose(start + 0.1, rtol: 0, atol: 1e-6));
        Assert.Equal(0.9, ema.DecayAt(1));
    }

    [Fact]
    public void WarmupFollowsDiffusersScheduleAndCapsAtTheDecay()
    {
        var (source, shadow) = Pair();
        var ema = new ExponentialMovingAverage([(shadow, source)], 0.999, warmup: true);
        Assert.Equal(2.0 / 11.0, ema.DecayAt(1), 15);
        Assert.Equal(101.0 / 110.0, ema.DecayAt(100), 15);
        Assert.Equal(0.999, ema.DecayAt(1_000_000));

        var start = shadow.detach().clone();
        using (torch.no_grad()) source.add_(1.0);
        ema.Update(1);
        // At step 1 the average moves 9/11 of the way to the new weights.
        Assert.True(shadow.allclose(start + 9.0 / 11.0, rtol: 0, atol: 1e-6));
    }
}
