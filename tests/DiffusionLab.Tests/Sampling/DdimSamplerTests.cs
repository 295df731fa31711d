using DiffusionLab.Diffusion;
using DiffusionLab.Sampling;
using DiffusionLab.Tests.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Sampling;

public class DdimSamplerTests
{
    /// <summary>ε̂ = 0.1·x, v = 0: a tiny analytic network with learned-sigma output shape.</summary>
    internal static Tensor Analytic(Tensor x, Tensor t) => torch.cat([x * 0.1, torch.zeros_like(x)], 1);

    [Fact]
    public void OneStepEqualsTheOfficialDdimStep()
    {
        using var scope = torch.NewDisposeScope();
        var spaced = SpacedDiffusion.Create(BetaSchedule.Linear(1000), "ddim50");
        var t = torch.full([4], 30, ScalarType.Int64);
        var next = new DdimSampler(eta: 0).Step(spaced.Diffusion, DiffusionFixture.Get("model_output"), DiffusionFixture.Get("x_t"), t);
        DiffusionFixture.AssertTensorClose(DiffusionFixture.Get("ddim50_step30_sample"), next, 1e-5, "ddim50_step30_sample");
    }

    [Fact]
    public void EtaZeroIsDeterministicWhateverTheNoise()
    {
        using var scope = torch.NewDisposeScope();
        var spaced = SpacedDiffusion.Create(BetaSchedule.Linear(1000), "ddim10");
        var start = torch.randn([2, 4, 4, 4], generator: new Generator(7));
        var sampler = new DdimSampler(eta: 0);
        using var one = new ImageNoise([1, 2]);
        using var two = new ImageNoise([3, 4]);
        var a = sampler.Sample(spaced, Analytic, start, one);
        var b = sampler.Sample(spaced, Analytic, start, two);
        var c = sampler.Sample(spaced, Analytic, start, null);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.True(a.equal(c).all().item<bool>());
        Assert.False(a.equal(start).all().item<bool>());
        Assert.True(a.isfinite().all().item<bool>());
    }

    [Fact]
    public void ModelSeesOriginalTimestepsAndProgressCountsSteps()
    {
        using var scope = torch.NewDisposeScope();
        var spaced = SpacedDiffusion.Create(BetaSchedule.Linear(1000), "ddim5");
        var seen = new List<long>();
        var reported = new List<int>();
        DenoiseFn model = (x, t) => { seen.Add(t[0].item<long>()); return Analytic(x, t); };
        new DdimSampler().Sample(spaced, model, torch.randn([1, 4, 2, 2]), null, new SyncProgress(reported.Add));
        Assert.Equal(new long[] { 800, 600, 400, 200, 0 }, seen);
        Assert.Equal([1, 2, 3, 4, 5], reported);
    }

    [Fact]
    public void PositiveEtaUsesTheImagesNoise()
    {
        using var scope = torch.NewDisposeScope();
        var spaced = SpacedDiffusion.Create(BetaSchedule.Linear(1000), "ddim10");
        var start = torch.randn([2, 4, 4, 4], generator: new Generator(7));
        var sampler = new DdimSampler(eta: 1.0);
        var a = sampler.Sample(spaced, Analytic, start, new ImageNoise([1, 2]));
        var b = sampler.Sample(spaced, Analytic, start, new ImageNoise([1, 2]));
        var c = sampler.Sample(spaced, Analytic, start, new ImageNoise([1, 3]));
        Assert.True(a.equal(b).all().item<bool>());
        Assert.True(a[0].equal(c[0]).all().item<bool>(), "image 0 has the same seed: the same noise whatever image 1's seed");
        Assert.False(a[1].equal(c[1]).all().item<bool>());
        Assert.Throws<ArgumentNullException>(() => sampler.Sample(spaced, Analytic, start, null));
    }

    [Fact]
    public void SamplingLeavesOnlyItsResultAlive()
    {
        var spaced = SpacedDiffusion.Create(BetaSchedule.Linear(1000), "ddim10");
        using var start = torch.randn([2, 4, 4, 4], generator: new Generator(5));
        var sampler = new DdpmSampler();
        using (var g = new ImageNoise([1, 2])) sampler.Sample(spaced, Analytic, start, g).Dispose(); // builds the cached coefficient tables
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var g = new ImageNoise([1, 2]))
        using (var result = sampler.Sample(spaced, Analytic, start, g))
            Assert.Equal(before + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    /// <summary>IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    internal sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
