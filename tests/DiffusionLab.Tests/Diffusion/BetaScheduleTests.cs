using DiffusionLab.Diffusion;

namespace DiffusionLab.Tests.Diffusion;

public class BetaScheduleTests
{
    [Fact]
    public void LinearHasTheDdpmEndpointsScaledByThousandOverT()
    {
        var b = BetaSchedule.Linear(1000);
        Assert.Equal(1000, b.Length);
        Assert.Equal(1e-4, b[0], 15);
        Assert.Equal(0.02, b[^1], 15);
        var b250 = BetaSchedule.Linear(250);
        Assert.Equal(4e-4, b250[0], 15);
        Assert.Equal(0.08, b250[^1], 15);
        for (int i = 1; i < b250.Length; i++) Assert.Equal((0.08 - 4e-4) / 249, b250[i] - b250[i - 1], 12);
    }

    [Fact]
    public void LinearEqualsTheOfficialBetas() =>
        DiffusionFixture.AssertClose(DiffusionFixture.Doubles("betas"), BetaSchedule.Create("linear", 1000), 1e-12, "betas");

    [Fact]
    public void CosineFollowsTheIddpmAlphaBar()
    {
        const int T = 100;
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        var b = BetaSchedule.Cosine(T);
        double prod = 1;
        for (int i = 0; i < T - 1; i++)
        {
            prod *= 1 - b[i];
            Assert.Equal(AlphaBar((i + 1.0) / T) / AlphaBar(0), prod, 10);
        }
        Assert.Equal(0.999, b[^1], 15);
        Assert.All(b, v => Assert.InRange(v, 0, 0.999));
        Assert.Equal(b, BetaSchedule.Create("squaredcos_cap_v2", T));
    }

    [Fact]
    public void UnknownNameIsReported()
    {
        var e = Assert.Throws<ArgumentException>(() => BetaSchedule.Create("quadratic", 1000));
        Assert.Contains("quadratic", e.Message);
        Assert.Contains("linear", e.Message);
    }
}
