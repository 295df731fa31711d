using DiffusionLab.Diffusion;

namespace DiffusionLab.Tests.Diffusion;

public class TimestepRespacingTests
{
    [Fact]
    public void TwoHundredFiftyEqualsTheOfficialList() =>
        Assert.Equal(DiffusionFixture.JsonInts("timesteps_250"), TimestepRespacing.Space(1000, "250"));

    [Fact]
    public void Ddim50EqualsTheOfficialList() =>
        Assert.Equal(DiffusionFixture.JsonInts("timesteps_ddim50"), TimestepRespacing.Space(1000, "ddim50"));

    [Fact]
    public void SectionCountsStrideEachSection()
    {
        // Expected lists from IDDPM space_timesteps (its docstring example and a round-half-to-even case).
        int[] expected300 = [0, 11, 22, 33, 44, 55, 66, 77, 88, 99, 100, 107, 114, 121, 128, 135, 142, 149, 157, 164, 171, 178, 185, 192, 199, 200, 205, 210, 216, 221, 226, 231, 236, 242, 247, 252, 257, 263, 268, 273, 278, 283, 289, 294, 299];
        Assert.Equal(expected300, TimestepRespacing.Space(300, "10,15,20"));
        Assert.Equal([0, 83, 166, 250, 333, 416, 499, 500, 750, 999], TimestepRespacing.Space(1000, "7,3"));
        Assert.Equal(Enumerable.Range(0, 1000), TimestepRespacing.Space(1000, ""));
        Assert.Equal(Enumerable.Range(0, 1000), TimestepRespacing.Space(1000, "1000"));
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("ddim")]
    [InlineData("ddim999")]
    [InlineData("2000")]
    [InlineData("10,,5")]
    public void BadSpecsAreReportedByName(string spec)
    {
        var e = Assert.Throws<ArgumentException>(() => TimestepRespacing.Space(1000, spec));
        Assert.Contains($"'{spec}'", e.Message);
    }
}
