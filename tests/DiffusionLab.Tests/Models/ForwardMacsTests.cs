using DiffusionLab.Modules;

namespace DiffusionLab.Tests.Models;

/// <summary>DiT-convention GMACs of mdt.md §6 (DiT Table 4 convention) at 32×32 latents.</summary>
public class ForwardMacsTests
{
    [Theory]
    [InlineData("DiT-XL/2", null, 118.62)]
    [InlineData("DiT-S/2", null, 6.06)]
    [InlineData("DiT-B/2", null, 23.01)]
    [InlineData("DiT-L/2", null, 80.70)]
    [InlineData("DiT-XL/4", null, 29.04)]
    [InlineData("DiT-S/8", null, 0.36)]
    [InlineData("MDT-XL/2", null, 118.62)]
    [InlineData("MDTv2-S/2", 6, 6.74)]
    [InlineData("MDTv2-B/2", 4, 25.42)]
    [InlineData("MDTv2-XL/2", 4, 129.49)]
    public void InferenceMatchesTheTable(string preset, int? decodeLayer, double gmacs)
    {
        var config = DenoiserPresets.Get(preset);
        if (decodeLayer is int d) config = config with { DecodeLayer = d };
        Assert.Equal(gmacs, Math.Round(ForwardMacs.Inference(config) / 1e9, 2));
    }

    [Theory]
    [InlineData("MDTv2-S/2", 6, 0.3, 6.20)]
    [InlineData("MDTv2-S/2", 6, 0.5, 5.54)]
    [InlineData("MDTv2-XL/2", 4, 0.3, 99.99)]
    [InlineData("MDTv2-XL/2", 4, 0.5, 78.01)]
    public void MaskedBranchMatchesTheTable(string preset, int decodeLayer, double ratio, double gmacs)
    {
        var config = DenoiserPresets.Get(preset) with { DecodeLayer = decodeLayer };
        Assert.Equal(gmacs, Math.Round(ForwardMacs.MaskedBranch(config, ratio) / 1e9, 2));
    }
}
