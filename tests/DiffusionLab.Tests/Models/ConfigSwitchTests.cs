using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Models;

/// <summary>Position-encoding ablation switches (mdt.md §10): which keys exist, what trains, and that the model runs.</summary>
public class ConfigSwitchTests
{
    private static readonly DenoiserConfig Tiny = new()
    {
        Architecture = Architecture.MdtV2, InputSize = 8, HiddenSize = 32, NumHeads = 2, Depth = 4, DecodeLayer = 2, NumClasses = 5,
    };

    private static (Tensor X, Tensor T, Tensor Y) Inputs()
    {
        var g = new torch.Generator(1);
        return (randn(new long[] { 2, 4, 8, 8 }, generator: g), tensor(new long[] { 3, 900 }), tensor(new long[] { 1, 5 }));
    }

    private static Tensor Run(MaskedDiffusionTransformer net, bool masked)
    {
        var (x, t, y) = Inputs();
        using var _ = no_grad();
        var output = masked ? net.ForwardMasked(x, t, y, RandomMasking.Draw(2, 16, 0.4, CPU, new torch.Generator(2))) : net.forward(x, t, y);
        Assert.Equal(new long[] { 2, 8, 8, 8 }, output.shape);
        Assert.False(output.isnan().any().item<bool>());
        return output;
    }

    private static MaskedDiffusionTransformer Build(DenoiserConfig config)
    {
        var net = (MaskedDiffusionTransformer)DenoiserFactory.Create(config);
        // Random adaLN / final weights so every path reaches the output.
        using (no_grad()) foreach (var p in net.parameters()) if (p.requires_grad) p.normal_(0, 0.05);
        return net;
    }

    private static Parameter Param(nn.Module net, string name) => net.named_parameters().Single(p => p.name == name).parameter;

    [Fact]
    public void DefaultMdtHasLearnableEmbeddingsAndRelativeBias()
    {
        using var net = Build(Tiny);
        Assert.True(Param(net, "pos_embed").requires_grad);
        Assert.True(Param(net, "decoder_pos_embed").requires_grad);
        Assert.Contains("de_blocks.1.attn.rel_pos_bias.relative_position_bias_table", net.state_dict().Keys);
        Run(net, masked: false);
        Run(net, masked: true);
    }

    [Fact]
    public void FixedSinCosFreezesBothEmbeddingsAndKeepsKeys()
    {
        using var net = Build(Tiny with { PositionEmbedding = PositionEmbeddingKind.FixedSinCos });
        Assert.False(Param(net, "pos_embed").requires_grad);
        Assert.False(Param(net, "decoder_pos_embed").requires_grad);
        using var reference = Build(Tiny);
        Assert.Equal(reference.state_dict().Keys, net.state_dict().Keys);
        Run(net, masked: true);
    }

    [Fact]
    public void NoAbsoluteEmbeddingKeepsAFrozenZeroKeyThatIsNeverAdded()
    {
        using var net = Build(Tiny with { PositionEmbedding = PositionEmbeddingKind.None });
        var pos = Param(net, "pos_embed");
        Assert.False(pos.requires_grad);
        Assert.True(pos.eq(0).all().item<bool>());
        var before = Run(net, masked: false);
        using (no_grad()) pos.fill_(3.0);
        Assert.True(before.equal(Run(net, masked: false)).all().item<bool>());
    }

    [Fact]
    public void RelativeBiasOffRemovesItsKeys()
    {
        using var net = Build(Tiny with { RelativePositionBias = false });
        Assert.DoesNotContain(net.state_dict().Keys, k => k.Contains("rel_pos_bias"));
        Run(net, masked: false);
        Run(net, masked: true);
    }

    [Fact]
    public void DecoderEmbeddingOffKeepsAFrozenZeroKeyThatIsNeverAdded()
    {
        using var net = Build(Tiny with { DecoderPositionEmbedding = false });
        var dec = Param(net, "decoder_pos_embed");
        Assert.False(dec.requires_grad);
        Assert.True(dec.eq(0).all().item<bool>());
        var before = Run(net, masked: true);
        using (no_grad()) dec.fill_(3.0);
        Assert.True(before.equal(Run(net, masked: true)).all().item<bool>());
    }

    [Fact]
    public void MaskedShortcutOffChangesOnlyTheMaskedPath()
    {
        using var on = Build(Tiny with { Architecture = Architecture.Mdt });
        using var off = Build(Tiny with { Architecture = Architecture.Mdt, MaskedShortcut = false });
        StateDictLoaderCopy(on, off);
        Assert.True(Run(on, masked: false).equal(Run(off, masked: false)).all().item<bool>());
        Assert.False(Run(on, masked: true).equal(Run(off, masked: true)).all().item<bool>());
    }

    [Fact]
    public void DiTCanTakeARelativeBias()
    {
        var config = Tiny with { Architecture = Architecture.DiT, RelativePositionBias = true, PositionEmbedding = PositionEmbeddingKind.Learnable };
        using var net = DenoiserFactory.Create(config);
        Assert.Contains("blocks.0.attn.rel_pos_bias.relative_position_index", net.state_dict().Keys);
        var (x, t, y) = Inputs();
        using var _ = no_grad();
        Assert.Equal(new long[] { 2, 8, 8, 8 }, net.forward(x, t, y).shape);
    }

    private static void StateDictLoaderCopy(nn.Module from, nn.Module to) =>
        DiffusionLab.IO.StateDictLoader.LoadStrict(to, from.state_dict(), "in-memory");
}

/// <summary>The networks run in reduced precision and keep the input's dtype (no autocast in TorchSharp 0.107).</summary>
public class PrecisionTests
{
    [Theory]
    [InlineData("MDTv2-Tiny/2")]
    [InlineData("MDT-Tiny/4")]
    [InlineData("DiT-Tiny/2")]
    public void Bfloat16ForwardKeepsDtypeAndIndexBuffers(string preset)
    {
        var config = DenoiserPresets.Get(preset) with { Depth = 4, DecodeLayer = 2, HiddenSize = 32, NumHeads = 2 };
        using var net = DenoiserFactory.Create(config);
        net.to(ScalarType.BFloat16);
        foreach (var (name, buffer) in net.named_buffers()) Assert.Equal(ScalarType.Int64, buffer.dtype);
        var x = randn(2, 1, 32, 32).to(ScalarType.BFloat16);
        using var _ = no_grad();
        var output = net.forward(x, tensor(new long[] { 10, 500 }), tensor(new long[] { 0, 10 }));
        Assert.Equal(ScalarType.BFloat16, output.dtype);
        Assert.Equal(new long[] { 2, 2, 32, 32 }, output.shape);
        if (net is MaskedDiffusionTransformer mdt)
        {
            var masked = mdt.ForwardMasked(x, tensor(new long[] { 10, 500 }), tensor(new long[] { 0, 10 }), mdt.DrawMasking(2, CPU, new torch.Generator(4)));
            Assert.Equal(ScalarType.BFloat16, masked.dtype);
        }
    }
}
