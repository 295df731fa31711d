using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Models;

/// <summary>Parameter counts of mdt.md §6 (frozen pos_embed included, as DiT's train.py prints them).</summary>
public class ParameterCountTests
{
    [Theory]
    [InlineData("DiT-S/2", null, 32_963_360L)]
    [InlineData("DiT-XL/2", null, 675_129_632L)]
    [InlineData("MDTv2-S/2", 6, 38_454_872L)]
    [InlineData("MDTv2-XL/2", 4, 742_263_904L)]
    [InlineData("MDT-XL/2", null, 699_778_144L)]
    public void CountsMatchThePaperSizes(string preset, int? decodeLayer, long expected)
    {
        var config = DenoiserPresets.Get(preset);
        if (decodeLayer is int d) config = config with { DecodeLayer = d };
        // The meta device allocates no storage, so XL models cost nothing to build.
        using var net = DenoiserFactory.Create(config, new Device(DeviceType.META));
        Assert.Equal(expected, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void MetaCountEqualsARealCpuModel()
    {
        var config = DenoiserPresets.Get("MDTv2-S/2") with { DecodeLayer = 6 };
        using var meta = DenoiserFactory.Create(config, new Device(DeviceType.META));
        using var cpu = DenoiserFactory.Create(config);
        Assert.Equal(cpu.parameters().Sum(p => p.numel()), meta.parameters().Sum(p => p.numel()));
        Assert.Equal(cpu.state_dict().Select(kv => (kv.Key, kv.Value.shape)), meta.state_dict().Select(kv => (kv.Key, kv.Value.shape)));
    }
}
