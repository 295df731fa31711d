using DiffusionLab.Diffusion;
using TorchSharp;

namespace DiffusionLab.Tests.Diffusion;

public class SpacedDiffusionTests
{
    [Theory]
    [InlineData("250", "ddpm250_betas", "timesteps_250")]
    [InlineData("ddim50", "ddim50_betas", "timesteps_ddim50")]
    public void RespacedBetasEqualTheOfficialOnes(string spec, string betas, string timesteps)
    {
        var spaced = SpacedDiffusion.Create(BetaSchedule.Linear(1000), spec);
        DiffusionFixture.AssertClose(DiffusionFixture.Doubles(betas), spaced.Diffusion.Betas, 1e-12, betas);
        Assert.Equal(DiffusionFixture.JsonInts(timesteps).Select(v => (long)v), spaced.TimestepMap);
        Assert.Equal(1000, spaced.OriginalNumTimesteps);
    }

    [Fact]
    public void RespacingKeepsAlphaBarAtTheKeptSteps()
    {
        var baseDiffusion = new GaussianDiffusion(BetaSchedule.Linear(1000));
        var spaced = baseDiffusion.Respaced(TimestepRespacing.Space(1000, "ddim20"));
        for (int k = 0; k < spaced.NumTimesteps; k++)
            Assert.Equal(baseDiffusion.AlphasCumprod[(int)spaced.OriginalTimestep(k)], spaced.Diffusion.AlphasCumprod[k], 12);
    }

    [Fact]
    public void IndicesMapToOriginalTimesteps()
    {
        using var scope = torch.NewDisposeScope();
        var spaced = SpacedDiffusion.Create(BetaSchedule.Linear(1000), "ddim50");
        var mapped = spaced.ToOriginal(torch.tensor(new long[] { 0, 30, 49 }));
        Assert.Equal(new long[] { 0, 600, 980 }, mapped.data<long>().ToArray());
    }
}
