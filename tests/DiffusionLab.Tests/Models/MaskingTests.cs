using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Models;

/// <summary>MAE random masking invariants (mdt.md §3) and the per-forward ratio draw (§4).</summary>
public class MaskingTests
{
    [Theory]
    [InlineData(256, 0.3, 179)]
    [InlineData(256, 0.5, 128)]
    [InlineData(16, 0.466050386428833, 8)]
    [InlineData(16, 0.0, 16)]
    public void KeepsFloorOfLTimesOneMinusR(int tokens, double ratio, int kept)
    {
        var g = new torch.Generator(7);
        var m = RandomMasking.Draw(3, tokens, ratio, CPU, g);
        Assert.Equal(kept, RandomMasking.KeptTokens(tokens, ratio));
        Assert.Equal(new long[] { 3, kept }, m.IdsKeep.shape);
        Assert.Equal(new long[] { 3, tokens }, m.IdsRestore.shape);
        Assert.Equal(ScalarType.Int64, m.IdsKeep.dtype);
        Assert.Equal(ScalarType.Int64, m.IdsRestore.dtype);
        // Exactly L−K ones per sample, and exactly at the positions not kept.
        Assert.True(m.Mask.sum(1).eq(tokens - kept).all().item<bool>());
        var keptMask = zeros(3, tokens).scatter(1, m.IdsKeep, ones(3, kept));
        Assert.True((keptMask + m.Mask).eq(1).all().item<bool>());
    }

    [Fact]
    public void IdsRestoreInvertsTheShuffle()
    {
        var m = RandomMasking.Draw(4, 64, 0.4, CPU, new torch.Generator(11));
        // Rebuild ids_shuffle from ids_restore: shuffle[restore[i]] = i.
        var shuffle = zeros(4, 64, dtype: ScalarType.Int64).scatter(1, m.IdsRestore, arange(64).expand(4, 64));
        Assert.True(shuffle[.., ..(int)m.IdsKeep.shape[1]].eq(m.IdsKeep).all().item<bool>());
        Assert.True(shuffle.gather(1, m.IdsRestore).eq(arange(64).expand(4, 64)).all().item<bool>());
        Assert.True(shuffle.sort(1).Values.eq(arange(64).expand(4, 64)).all().item<bool>());
    }

    [Fact]
    public void SameSeedSameMaskingAndSamplesDiffer()
    {
        var a = RandomMasking.Draw(2, 32, 0.3, CPU, new torch.Generator(5));
        var b = RandomMasking.Draw(2, 32, 0.3, CPU, new torch.Generator(5));
        Assert.True(a.IdsRestore.eq(b.IdsRestore).all().item<bool>());
        Assert.False(a.IdsRestore[0].eq(a.IdsRestore[1]).all().item<bool>());
    }

    [Fact]
    public void RatioIsFixedForV1AndUniformInTheRangeForV2()
    {
        var tiny = new DenoiserConfig { InputSize = 8, HiddenSize = 32, NumHeads = 2, Depth = 4, DecodeLayer = 2, NumClasses = 3 };
        using var v1 = new MaskedDiffusionTransformer(tiny with { Architecture = Architecture.Mdt, MaskRatio = 0.3, MaskRatioMax = 0.3 });
        using var v2 = new MaskedDiffusionTransformer(tiny with { Architecture = Architecture.MdtV2, MaskRatio = 0.3, MaskRatioMax = 0.5 });
        var g = new torch.Generator(3);
        Assert.Equal(0.3, v1.DrawMaskRatio(g));
        var draws = Enumerable.Range(0, 200).Select(_ => v2.DrawMaskRatio(g)).ToArray();
        Assert.All(draws, r => Assert.InRange(r, 0.3, 0.5 - 1e-9));
        Assert.True(draws.Max() - draws.Min() > 0.15);
    }
}

/// <summary>With nothing masked the masked path is a token permutation of the unmasked one, so the outputs agree.</summary>
public class MaskedPathEquivarianceTests
{
    [Theory]
    [InlineData("mdtv1")]
    [InlineData("mdtv2")]
    public void RatioZeroMaskedPathEqualsTheUnmaskedPath(string model)
    {
        using var net = (MaskedDiffusionTransformer)DiffusionLab.Runs.DenoiserFactory.Create(TinyFixtures.Config(model));
        DiffusionLab.IO.StateDictLoader.LoadFile(net, FixtureFiles.PathOf($"{model}-tiny.weights.safetensors"));
        var io = FixtureFiles.Load($"{model}-tiny.io.safetensors");
        var shuffled = RandomMasking.Draw(2, 16, 0.0, CPU, new torch.Generator(9));
        using var _ = no_grad();
        var masked = net.ForwardMasked(io["x"], io["t"], io["y"], shuffled);
        Assert.InRange(FixtureFiles.RelativeError(masked, io["out"]), 0, 1e-5);
    }
}
