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

    /// <summary>Several tensors of different shapes, twice with the same values.</summary>
    private static (List<(string, Parameter)> A, List<(string, Parameter)> B) TwinModels()
    {
        var g = new Generator(11);
        long[][] shapes = [[5, 3], [7], [2, 3, 4], [1], [6, 2]];
        var values = shapes.Select(s => torch.randn(s, generator: g)).ToList();
        return (values.Select((v, i) => ($"p{i}", new Parameter(v.clone()))).ToList(), values.Select((v, i) => ($"p{i}", new Parameter(v.clone()))).ToList());
    }

    private static Tensor Loss(IEnumerable<(string, Parameter)> ps, int step) => ps.Select(p => Loss(p.Item2, step) * 0.3).Aggregate((a, b) => a + b);

    [Theory]
    [InlineData("adamw")]
    [InlineData("adan")]
    public void TheFlatBufferOptimizerEqualsOnePerTensorOver20Steps(string kind)
    {
        ParameterOptimizer Make(IEnumerable<(string, Parameter)> ps) => kind == "adamw" ? new AdamW(ps, 0.03, weightDecay: 0.1) : new Adan(ps, 0.03, weightDecay: 0.1);
        var (flat, single) = TwinModels();
        using var together = Make(flat);
        Assert.Single(together.Buffers);                         // one buffer for all five tensors
        var apart = single.Select(p => Make([p])).ToList();       // one optimizer, one tensor each
        for (int step = 0; step < 20; step++)
        {
            together.ZeroGrad();
            Loss(flat, step).backward();
            together.Step();
            foreach (var o in apart) o.ZeroGrad();
            Loss(single, step).backward();
            foreach (var o in apart) o.Step();
        }
        for (int i = 0; i < flat.Count; i++)
            Assert.True(flat[i].Item2.equal(single[i].Item2).all().item<bool>(), $"{kind}: tensor {i} differs between the flat buffer and per-tensor updates");
        var stateTogether = together.StateTensors().ToDictionary(p => p.Key, p => p.Value);
        foreach (var (key, value) in apart.SelectMany(o => o.StateTensors()))
            Assert.True(value.equal(stateTogether[key]).all().item<bool>(), $"{kind}: state {key} differs");
        foreach (var o in apart) o.Dispose();
    }

    [Fact]
    public void FlatAdamWOverManyTensorsMatchesTorchAdamW()
    {
        var (ours, reference) = TwinModels();
        using var mine = new AdamW(ours, learningRate: 0.05, weightDecay: 0.1);
        var torchOpt = torch.optim.AdamW(reference.Select(p => p.Item2), lr: 0.05, weight_decay: 0.1);
        for (int step = 0; step < 20; step++)
        {
            mine.ZeroGrad();
            Loss(ours, step).backward();
            mine.Step();
            torchOpt.zero_grad();
            Loss(reference, step).backward();
            torchOpt.step();
        }
        for (int i = 0; i < ours.Count; i++)
            Assert.True(ours[i].Item2.allclose(reference[i].Item2, rtol: 1e-5, atol: 1e-6), $"tensor {i} drifted from torch.optim.AdamW");
    }

    [Fact]
    public void ParametersAreViewsOfTheFlatBufferAndGradientsLandInIt()
    {
        var (ps, _) = TwinModels();
        using var opt = new AdamW(ps, 0.1);
        var buffer = opt.Buffers[0];
        Assert.Equal(ps.Sum(p => p.Item2.numel()), buffer.Values.numel());
        using (torch.no_grad()) buffer.Values.fill_(2.0f);
        Assert.All(ps, p => Assert.True(p.Item2.eq(2.0f).all().item<bool>()));      // a write to the buffer is a write to every parameter
        Loss(ps, 0).backward();
        double perTensor = Math.Sqrt(ps.Sum(p => p.Item2.grad!.pow(2).sum().item<float>()));
        Assert.Equal(perTensor, buffer.Grads.norm().item<float>(), 4);              // backward accumulated into the flat gradients
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
