using DiffusionLab.Sampling;
using DiffusionLab.Tests.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Sampling;

public class ClassifierFreeGuidanceTests
{
    private const int NullClass = 10;

    /// <summary>out = [x + y (4 ε channels), x·2 + y (4 v channels)]: the label shifts every channel; t is unused.</summary>
    private static Tensor Network(Tensor x, Tensor t, Tensor y)
    {
        var shift = y.to(ScalarType.Float32).view(-1, 1, 1, 1);
        return torch.cat([x + shift, x * 2 + shift], 1);
    }

    [Fact]
    public void FirstThreeGuidesChannelsZeroToTwoOnly()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 3, 3);
        var labels = torch.tensor(new long[] { 3, 7 });
        var t = torch.tensor(new long[] { 100, 100 });
        var fn = ClassifierFreeGuidance.Wrap(Network, labels, NullClass, GuidanceSchedule.Constant(3.0), GuidedChannels.FirstThree, 4);
        var guided = fn(x, t);
        var cond = Network(x, t, labels);
        var uncond = Network(x, t, torch.full_like(labels, NullClass));
        var expected = uncond.narrow(1, 0, 3) + 3.0 * (cond.narrow(1, 0, 3) - uncond.narrow(1, 0, 3));
        Assert.Equal(new long[] { 2, 8, 3, 3 }, guided.shape);
        Assert.True(guided.narrow(1, 0, 3).allclose(expected, rtol: 1e-5, atol: 1e-5));
        Assert.True(guided.narrow(1, 3, 5).equal(cond.narrow(1, 3, 5)).all().item<bool>());
    }

    [Fact]
    public void AllGuidesEveryEpsChannelAndPassesTheVarianceThrough()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 3, 3);
        var labels = torch.tensor(new long[] { 3, 7 });
        var t = torch.tensor(new long[] { 100, 100 });
        var fn = ClassifierFreeGuidance.Wrap(Network, labels, NullClass, GuidanceSchedule.Constant(3.0), GuidedChannels.All, 4);
        var guided = fn(x, t);
        var cond = Network(x, t, labels);
        var uncond = Network(x, t, torch.full_like(labels, NullClass));
        var expected = uncond.narrow(1, 0, 4) + 3.0 * (cond.narrow(1, 0, 4) - uncond.narrow(1, 0, 4));
        Assert.True(guided.narrow(1, 0, 4).allclose(expected, rtol: 1e-5, atol: 1e-5));
        Assert.True(guided.narrow(1, 4, 4).equal(cond.narrow(1, 4, 4)).all().item<bool>());
    }

    [Fact]
    public void ScaleOneIsTheConditionalOutputInOneCall()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 3, 3);
        var labels = torch.tensor(new long[] { 1, 2 });
        var t = torch.tensor(new long[] { 999, 0 });
        var batches = new List<long>();
        Tensor Counting(Tensor xx, Tensor tt, Tensor yy) { batches.Add(xx.shape[0]); return Network(xx, tt, yy); }
        var constant = ClassifierFreeGuidance.Wrap(Counting, labels, NullClass, GuidanceSchedule.Constant(1.0), GuidedChannels.All, 4)(x, t);
        var cosine = ClassifierFreeGuidance.Wrap(Counting, labels, NullClass, GuidanceSchedule.PowerCosine(1.0, 4), GuidedChannels.FirstThree, 4)(x, t);
        var cond = Network(x, t, labels);
        Assert.True(constant.equal(cond).all().item<bool>());
        Assert.True(cosine.allclose(cond, rtol: 1e-6, atol: 1e-6));
        Assert.Equal(new long[] { 2, 2 }, batches);
    }

    [Fact]
    public void GuidedBatchIsOneCallOfConditionalThenNull()
    {
        using var scope = torch.NewDisposeScope();
        var labels = torch.tensor(new long[] { 4, 5 });
        Tensor? seenY = null;
        int count = 0;
        Tensor Recording(Tensor xx, Tensor tt, Tensor yy) { count++; seenY = yy; return Network(xx, tt, yy); }
        ClassifierFreeGuidance.Wrap(Recording, labels, NullClass, GuidanceSchedule.PowerCosine(3.8, 4), GuidedChannels.FirstThree, 4)(torch.randn(2, 4, 3, 3), torch.tensor(new long[] { 5, 5 }));
        Assert.Equal(1, count);
        Assert.Equal(new long[] { 4, 5, NullClass, NullClass }, seenY!.data<long>().ToArray());
    }

    [Fact]
    public void CombineOfficialMatchesForwardWithCfg()
    {
        using var scope = torch.NewDisposeScope();
        var output = torch.randn(4, 8, 2, 2);
        var t = torch.tensor(new long[] { 250, 100, 250, 100 });
        var schedule = GuidanceSchedule.PowerCosine(3.8, 4);
        var combined = ClassifierFreeGuidance.CombineOfficial(output, t, schedule, GuidedChannels.FirstThree, 4);
        Assert.Equal(output.shape, combined.shape);
        var cond = output.narrow(0, 0, 2).narrow(1, 0, 3);
        var uncond = output.narrow(0, 2, 2).narrow(1, 0, 3);
        var w = torch.tensor(new float[] { (float)schedule.ScaleAt(250), (float)schedule.ScaleAt(100) }).view(2, 1, 1, 1);
        var half = uncond + w * (cond - uncond);
        Assert.True(combined.narrow(0, 0, 2).narrow(1, 0, 3).allclose(half, rtol: 1e-5, atol: 1e-6));
        Assert.True(combined.narrow(0, 2, 2).narrow(1, 0, 3).equal(combined.narrow(0, 0, 2).narrow(1, 0, 3)).all().item<bool>());
        Assert.True(combined.narrow(1, 3, 5).equal(output.narrow(1, 3, 5)).all().item<bool>());
    }

    [Fact]
    public void GuidedDdpmSamplingRunsEndToEnd()
    {
        using var scope = torch.NewDisposeScope();
        var spaced = DiffusionLab.Diffusion.SpacedDiffusion.Create(DiffusionLab.Diffusion.BetaSchedule.Linear(1000), "5");
        Tensor Shrinking(Tensor x, Tensor t, Tensor y) => Network(x * 0.1, t, y) * 0.1;
        var fn = ClassifierFreeGuidance.Wrap(Shrinking, torch.tensor(new long[] { 1, 2, 3 }), NullClass, GuidanceSchedule.PowerCosine(3.8, 4), GuidedChannels.FirstThree, 4);
        using var noise = ImageNoise.Consecutive(9, 3);
        var sample = new DdpmSampler().Sample(spaced, fn, noise.Draw([3, 4, 2, 2], torch.CPU), noise);
        Assert.Equal(new long[] { 3, 4, 2, 2 }, sample.shape);
        Assert.True(sample.isfinite().all().item<bool>());
    }

    [Fact]
    public void PowerCosineScalesEqualTheOfficialOnes()
    {
        using var scope = torch.NewDisposeScope();
        var schedule = GuidanceSchedule.PowerCosine(3.8, 4);
        foreach (var (key, value) in DiffusionFixture.JsonObjectOf("power_cos_scale"))
        {
            double t = double.Parse(key, System.Globalization.CultureInfo.InvariantCulture);
            double expected = value!.GetValue<double>();
            Assert.Equal(expected, schedule.ScaleAt(t), 1e-12);
            var onDevice = schedule.Scales(torch.tensor(new long[] { (long)t }));
            Assert.Equal(expected, onDevice.item<float>(), 1e-5);
        }
        Assert.Equal(2.5, GuidanceSchedule.Constant(2.5).ScaleAt(123));
        Assert.InRange(GuidanceSchedule.PowerCosine(4.0, 0.01).ScaleAt(999), 3.9, 4.0);
    }
}
