using DiffusionLab.Training;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Training;

public class OptimizerTests
{
    private static (Parameter ours, Parameter reference) TwinParameters()
    {
        var init = torch.randn(5, 3, generator: new Generator(7));
        return (new Parameter(init.clone()), new Parameter(init.clone()));
    }

    private static Tensor Loss(Tensor p, int step) => ((p - step * 0.1) * (p - step * 0.1)).sum() + p.sin().sum();

    [Fact]
    public void AdamWMatchesTorchAdamWStepForStep()
    {
        var (ours, reference) = TwinParameters();
        var mine = new AdamW([("w", ours)], learningRate: 0.05, weightDecay: 0.1);
        var torchOpt = torch.optim.AdamW([reference], lr: 0.05, weight_decay: 0.1);
        for (int step = 0; step < 10; step++)
        {
            mine.ZeroGrad();
            Loss(ours, step).backward();
            mine.Step();
            torchOpt.zero_grad();
            Loss(reference, step).backward();
            torchOpt.step();
        }
        Assert.True(ours.allclose(reference, rtol: 1e-5, atol: 1e-6), "AdamW drifted from torch.optim.AdamW");
    }

    [Fact]
    public void AdanFollowsTheReferenceUpdateRule()
    {
        // Two steps on one scalar, by hand from sail-sg/Adan (mdt.md §8), betas (0.98, 0.92, 0.99).
        var p = new Parameter(torch.tensor(new[] { 1.0f }));
        var adan = new Adan([("p", p)], learningRate: 0.1);
        double b1 = 0.98, b2 = 0.92, b3 = 0.99, eps = 1e-8, lr = 0.1, x = 1.0;
        double m = 0, v = 0, n = 0, prev = 0;
        for (int k = 1; k <= 2; k++)
        {
            double g = 2 * x; // d(x²)/dx
            adan.ZeroGrad();
            (p * p).sum().backward();
            adan.Step();
            double d = k == 1 ? 0 : g - prev;
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * d;
            n = b3 * n + (1 - b3) * Math.Pow(g + b2 * d, 2);
            double denom = Math.Sqrt(n) / Math.Sqrt(1 - Math.Pow(b3, k)) + eps;
            x -= lr / (1 - Math.Pow(b1, k)) * m / denom + lr * b2 / (1 - Math.Pow(b2, k)) * v / denom;
            prev = g;
            Assert.Equal(x, p.item<float>(), 5);
        }
    }

    [Fact]
    public void StateRoundTripContinuesIdentically()
    {
        var (a, b) = TwinParameters();
        var first = new Adan([("w", a)], 0.01);
        for (int s = 0; s < 3; s++) { first.ZeroGrad(); Loss(a, s).backward(); first.Step(); }
        var saved = first.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using (torch.no_grad()) b.copy_(a);
        var second = new Adan([("w", b)], 0.01);
        second.LoadState(saved, first.StepCount, "test");
        for (int s = 3; s < 6; s++)
        {
            first.ZeroGrad(); Loss(a, s).backward(); first.Step();
            second.ZeroGrad(); Loss(b, s).backward(); second.Step();
        }
        Assert.True(a.equal(b).all().item<bool>());
    }
}
