using DiffusionLab.IO;
using DiffusionLab.Mdt;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Models;

/// <summary>Official DiT / MDT / MDTv2 weights and outputs (Fixtures/README.md) reproduced number for number.</summary>
public class ParityTests
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData("dit")]
    [InlineData("mdtv1")]
    [InlineData("mdtv2")]
    public void KeysShapesAndOrderEqualTheOfficialStateDict(string model)
    {
        using var net = DenoiserFactory.Create(TinyFixtures.Config(model));
        var ours = net.state_dict().Select(kv => (kv.Key, kv.Value.shape)).ToList();
        var official = TinyFixtures.Keys(model);
        Assert.Equal(official.Select(k => k.Key).Order(), ours.Select(k => k.Key).Order());
        foreach (var (key, shape) in official) Assert.Equal(shape, ours.Single(o => o.Key == key).shape);
        Assert.Equal(official.Select(k => k.Key), ours.Select(k => k.Key));
        Assert.Equal(TinyFixtures.Params(model), net.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData("dit")]
    [InlineData("mdtv1")]
    [InlineData("mdtv2")]
    public void UnmaskedOutputMatches(string model)
    {
        using var net = Load(model);
        var io = FixtureFiles.Load($"{model}-tiny.io.safetensors");
        using var _ = no_grad();
        var t = model == "dit" ? io["t"].to(ScalarType.Float32) : io["t"];
        using var output = net.forward(io["x"], t, io["y"]);
        Assert.InRange(FixtureFiles.RelativeError(output, io["out"]), 0, Tolerance);
    }

    [Theory]
    [InlineData("mdtv1")]
    [InlineData("mdtv2")]
    public void MaskedOutputMatchesWithTheInjectedMasking(string model)
    {
        using var net = (MaskedDiffusionTransformer)Load(model);
        var io = FixtureFiles.Load($"{model}-tiny.io.safetensors");
        var masking = new MaskingResult(io["ids_keep"], io["ids_restore"], io["mask"]);
        Assert.Equal(RandomMasking.KeptTokens(16, TinyFixtures.MaskRatioDrawn(model)), masking.KeptTokens);
        using var _ = no_grad();
        using var output = net.ForwardMasked(io["x"], io["t"], io["y"], masking);
        Assert.InRange(FixtureFiles.RelativeError(output, io["out_masked"]), 0, Tolerance);
    }

    [Theory]
    [InlineData("mdtv1")]
    [InlineData("mdtv2")]
    public void GuidedOutputMatchesForwardWithCfg(string model)
    {
        // forward_with_cfg(cfg_x, cfg_t, cfg_y, cfg_scale=3.8, scale_pow=4): power-cosine guidance on channels 0..2 only.
        using var net = Load(model);
        var io = FixtureFiles.Load($"{model}-tiny.io.safetensors");
        using var _ = no_grad();
        var half = io["cfg_x"][..1];
        using var output = net.forward(torch.cat([half, half]), io["cfg_t"], io["cfg_y"]);
        var guided = ClassifierFreeGuidance.CombineOfficial(output, io["cfg_t"], GuidanceSchedule.PowerCosine(3.8, 4.0), GuidedChannels.FirstThree, numOutputEps: 4);
        Assert.InRange(FixtureFiles.RelativeError(guided, io["cfg_out"]), 0, Tolerance);
    }

    private static Modules.Denoiser Load(string model)
    {
        var net = DenoiserFactory.Create(TinyFixtures.Config(model));
        net.eval();
        StateDictLoader.LoadFile(net, FixtureFiles.PathOf($"{model}-tiny.weights.safetensors"));
        return net;
    }
}
