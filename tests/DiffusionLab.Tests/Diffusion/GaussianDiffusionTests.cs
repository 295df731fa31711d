using DiffusionLab.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Diffusion;

public class GaussianDiffusionTests
{
    private static readonly GaussianDiffusion Linear = new(BetaSchedule.Linear(1000));

    [Theory]
    [InlineData("alphas_cumprod")]
    [InlineData("alphas_cumprod_prev")]
    [InlineData("posterior_variance")]
    [InlineData("posterior_log_variance_clipped")]
    [InlineData("posterior_mean_coef1")]
    [InlineData("posterior_mean_coef2")]
    public void ArraysEqualTheOfficialOnes(string name)
    {
        IReadOnlyList<double> actual = name switch
        {
            "alphas_cumprod" => Linear.AlphasCumprod,
            "alphas_cumprod_prev" => Linear.AlphasCumprodPrev,
            "posterior_variance" => Linear.PosteriorVariance,
            "posterior_log_variance_clipped" => Linear.PosteriorLogVarianceClipped,
            "posterior_mean_coef1" => Linear.PosteriorMeanCoef1,
            _ => Linear.PosteriorMeanCoef2,
        };
        DiffusionFixture.AssertClose(DiffusionFixture.Doubles(name), actual, 1e-12, name);
    }

    [Fact]
    public void ArraysFollowTheirClosedForms()
    {
        double prod = 1;
        for (int t = 0; t < Linear.NumTimesteps; t++)
        {
            prod *= 1 - Linear.Betas[t];
            Assert.Equal(prod, Linear.AlphasCumprod[t], 15);
            double prev = t == 0 ? 1.0 : Linear.AlphasCumprod[t - 1];
            Assert.Equal(prev, Linear.AlphasCumprodPrev[t], 15);
            Assert.Equal(Linear.Betas[t] * (1 - prev) / (1 - Linear.AlphasCumprod[t]), Linear.PosteriorVariance[t], 15);
        }
        Assert.Equal(Math.Log(Linear.PosteriorVariance[1]), Linear.PosteriorLogVarianceClipped[0], 15);
    }

    [Fact]
    public void QSampleWithZeroNoiseScalesByRootAlphaBar()
    {
        using var scope = torch.NewDisposeScope();
        var x0 = torch.randn(3, 2, 4, 4);
        var t = torch.tensor(new long[] { 0, 400, 999 });
        var xt = Linear.QSample(x0, t, torch.zeros_like(x0));
        for (int i = 0; i < 3; i++)
        {
            long ti = t[i].item<long>();
            var expected = x0[i] * (float)Math.Sqrt(Linear.AlphasCumprod[(int)ti]);
            Assert.True(xt[i].allclose(expected, rtol: 1e-6, atol: 1e-7), $"t={ti}");
        }
    }

    [Fact]
    public void QSampleEqualsTheOfficialXt()
    {
        using var scope = torch.NewDisposeScope();
        var xt = Linear.QSample(DiffusionFixture.Get("x0"), DiffusionFixture.Get("t"), DiffusionFixture.Get("noise"));
        DiffusionFixture.AssertTensorClose(DiffusionFixture.Get("x_t"), xt, 1e-5, "x_t");
    }

    [Fact]
    public void PosteriorIsCoef1X0PlusCoef2Xt()
    {
        using var scope = torch.NewDisposeScope();
        var x0 = torch.randn(2, 3, 4, 4);
        var t = torch.tensor(new long[] { 1, 700 });
        var xt = Linear.QSample(x0, t, torch.randn_like(x0));
        var q = Linear.QPosterior(x0, xt, t);
        for (int i = 0; i < 2; i++)
        {
            int ti = (int)t[i].item<long>();
            var mean = x0[i] * (float)Linear.PosteriorMeanCoef1[ti] + xt[i] * (float)Linear.PosteriorMeanCoef2[ti];
            Assert.True(q.Mean[i].allclose(mean, rtol: 1e-5, atol: 1e-6));
            double variance = Linear.Betas[ti] * (1 - Linear.AlphasCumprod[ti - 1]) / (1 - Linear.AlphasCumprod[ti]);
            Assert.Equal(variance, q.Variance[i].max().item<float>(), 1e-9);
            Assert.Equal(variance, q.Variance[i].min().item<float>(), 1e-9);
            Assert.Equal(Math.Log(variance), q.LogVarianceClipped[i].mean().item<float>(), 5);
        }
        Assert.Equal(xt.shape, q.Variance.shape);
    }

    [Fact]
    public void PMeanVarianceEqualsTheOfficialOne()
    {
        using var scope = torch.NewDisposeScope();
        var p = Linear.PMeanVariance(DiffusionFixture.Get("model_output"), DiffusionFixture.Get("x_t"), DiffusionFixture.Get("t"));
        DiffusionFixture.AssertTensorClose(DiffusionFixture.Get("pmv_mean"), p.Mean, 1e-5, "mean");
        DiffusionFixture.AssertTensorClose(DiffusionFixture.Get("pmv_variance"), p.Variance, 1e-5, "variance");
        DiffusionFixture.AssertTensorClose(DiffusionFixture.Get("pmv_log_variance"), p.LogVariance, 1e-5, "log_variance");
        DiffusionFixture.AssertTensorClose(DiffusionFixture.Get("pmv_pred_xstart"), p.PredXStart, 1e-5, "pred_xstart");
    }

    [Theory]
    [InlineData("dit")]
    [InlineData("mdt")]
    public void TrainingLossesEqualTheOfficialOnes(string which)
    {
        using var scope = torch.NewDisposeScope();
        var output = DiffusionFixture.Get("model_output");
        var weighting = which == "mdt" ? LossWeighting.MinSnr(5) : LossWeighting.None;
        var losses = Linear.TrainingLosses(_ => output, DiffusionFixture.Get("x0"), DiffusionFixture.Get("t"), DiffusionFixture.Get("noise"), weighting);
        DiffusionFixture.AssertTensorClose(DiffusionFixture.Get($"loss_{which}_mse"), losses.Mse, 1e-5, "mse");
        DiffusionFixture.AssertTensorClose(DiffusionFixture.Get($"loss_{which}_vb"), losses.Vb, 1e-5, "vb");
        DiffusionFixture.AssertTensorClose(DiffusionFixture.Get($"loss_{which}_loss"), losses.Loss, 1e-5, "loss");
    }

    [Fact]
    public void VbEqualsAHandComputedGaussianKlInBits()
    {
        using var scope = torch.NewDisposeScope();
        const int t = 300;
        double x0 = 0.3, xt = -0.7, eps = 0.25, v = -0.4;
        var output = torch.tensor(new float[] { (float)eps, (float)v }).view(1, 2, 1, 1);
        var vb = Linear.VbTerms(output, torch.tensor(new float[] { (float)x0 }).view(1, 1, 1, 1),
            torch.tensor(new float[] { (float)xt }).view(1, 1, 1, 1), torch.tensor(new long[] { t }));

        double ab = Linear.AlphasCumprod[t];
        double trueMean = Linear.PosteriorMeanCoef1[t] * x0 + Linear.PosteriorMeanCoef2[t] * xt;
        double trueLogVar = Math.Log(Linear.PosteriorVariance[t]);
        double predX0 = Math.Sqrt(1 / ab) * xt - Math.Sqrt(1 / ab - 1) * eps;
        double modelMean = Linear.PosteriorMeanCoef1[t] * predX0 + Linear.PosteriorMeanCoef2[t] * xt;
        double frac = (v + 1) / 2;
        double modelLogVar = frac * Math.Log(Linear.Betas[t]) + (1 - frac) * trueLogVar;
        // KL(N(m1, s1²) ‖ N(m2, s2²)) = log(s2/s1) + (s1² + (m1−m2)²)/(2 s2²) − ½, in bits.
        double s1Sq = Math.Exp(trueLogVar), s2Sq = Math.Exp(modelLogVar);
        double kl = 0.5 * Math.Log(s2Sq / s1Sq) + (s1Sq + Math.Pow(trueMean - modelMean, 2)) / (2 * s2Sq) - 0.5;
        Assert.Equal(kl / Math.Log(2), vb.item<float>(), kl / Math.Log(2) * 1e-4);
    }

    [Fact]
    public void VbDoesNotTrainTheMeanAndMseDoesNotTrainTheVariance()
    {
        using var scope = torch.NewDisposeScope();
        var x0 = torch.randn(2, 4, 4, 4);
        var t = torch.tensor(new long[] { 0, 600 });
        var output = (torch.randn(2, 8, 4, 4) * 0.5).requires_grad_();
        var losses = Linear.TrainingLosses(_ => output, x0, t, torch.randn_like(x0), LossWeighting.None);
        losses.Vb.sum().backward();
        var grad = output.grad!;
        Assert.Equal(0.0, grad.narrow(1, 0, 4).abs().max().item<float>());
        Assert.True(grad.narrow(1, 4, 4).abs().max().item<float>() > 0);
        output.grad!.zero_();
        var again = Linear.TrainingLosses(_ => output, x0, t, torch.randn_like(x0), LossWeighting.None);
        again.Mse.sum().backward();
        Assert.Equal(0.0, output.grad!.narrow(1, 4, 4).abs().max().item<float>());
    }

    [Fact]
    public void MinSnrWeightIsMinOfSnrAndGammaOverSnr()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(new long[] { 0, 50, 100, 120, 130, 999 });
        var w = LossWeighting.MinSnr(5).Weight(Linear.SignalToNoise(t));
        double[] expected = [5e-4, 0.155, 0.586, 0.849, 1, 1]; // mdt.md §5, rounded
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], w[i].item<float>(), expected[i] * 0.01 + 1e-6);
    }

    [Fact]
    public void WithoutLearnedSigmaTheLossIsTheMseAlone()
    {
        using var scope = torch.NewDisposeScope();
        var d = new GaussianDiffusion(BetaSchedule.Linear(1000), learnSigma: false);
        var x0 = torch.randn(2, 4, 4, 4);
        var noise = torch.randn_like(x0);
        var losses = d.TrainingLosses(x => x * 0.1, x0, torch.tensor(new long[] { 5, 500 }), noise, LossWeighting.None);
        Assert.Equal(0.0, losses.Vb.abs().max().item<float>());
        Assert.True(losses.Loss.equal(losses.Mse).all().item<bool>());
        var p = d.PMeanVariance(x0, x0, torch.tensor(new long[] { 0, 10 }));
        Assert.Equal(Linear.PosteriorVariance[1], p.Variance[0].max().item<float>(), 1e-9);
        Assert.Equal(Linear.Betas[10], p.Variance[1].max().item<float>(), 1e-9);
    }

    [Fact]
    public void WrongOutputShapeIsReported()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 4, 4);
        var e = Assert.Throws<ArgumentException>(() => Linear.PMeanVariance(torch.randn(2, 4, 4, 4), x, torch.tensor(new long[] { 1, 2 })));
        Assert.Contains("2C", e.Message);
    }
}
