using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Models;

/// <summary>Conventions of the shared blocks (mdt.md §2, §14).</summary>
public class ModuleTests
{
    [Fact]
    public void RelativePositionIndexFollowsTheFormula()
    {
        const int g = 4;
        var index = RelativePositionBias.Index(g);
        Assert.Equal(new long[] { g * g, g * g }, index.shape);
        for (int i = 0; i < g * g; i++)
            for (int j = 0; j < g * g; j++)
            {
                int hi = i / g, wi = i % g, hj = j / g, wj = j % g;
                Assert.Equal((hi - hj + g - 1) * (2 * g - 1) + (wi - wj + g - 1), index[i, j].item<long>());
            }
        Assert.Equal((2 * g - 1) * (2 * g - 1) - 1, index.max().item<long>()); // the 3 extra rows are never used
    }

    [Fact]
    public void GatheredBiasEqualsTheFullBiasIndexedByKeptTokens()
    {
        using var rel = new RelativePositionBias(4, 3);
        var ids = tensor(new long[,] { { 5, 0, 15, 7 }, { 1, 2, 3, 4 } });
        var full = rel.Bias();                                  // (H, T, T)
        var gathered = rel.GatherBias(ids);                     // (B, H, K, K)
        Assert.Equal(new long[] { 2, 3, 4, 4 }, gathered.shape);
        for (int b = 0; b < 2; b++)
        {
            var expected = full.index_select(1, ids[b]).index_select(2, ids[b]);
            Assert.True(gathered[b].equal(expected).all().item<bool>());
        }
    }

    [Fact]
    public void AttentionWithBiasMatchesAManualSoftmax()
    {
        using var attn = new Attention(32, 4, relativeGridSize: 3);
        var x = randn(2, 9, 32);
        var ids = tensor(new long[,] { { 8, 1, 4, 0, 2 }, { 0, 1, 2, 3, 4 } });
        var sd = attn.state_dict();
        var qkv = nn.functional.linear(x.gather(1, ids.unsqueeze(-1).expand(-1, -1, 32)), sd["qkv.weight"], sd["qkv.bias"])
            .view(2, 5, 3, 4, 8).permute(2, 0, 3, 1, 4);
        var rel = ((RelativePositionBias)attn.named_children().Single(c => c.name == "rel_pos_bias").module).GatherBias(ids);
        var logits = qkv[0].matmul(qkv[1].transpose(-2, -1)) * Math.Pow(8, -0.5) + rel;
        var manual = nn.functional.linear(logits.softmax(-1).matmul(qkv[2]).transpose(1, 2).reshape(2, 5, 32), sd["proj.weight"], sd["proj.bias"]);
        var viaSdpa = attn.forward(x.gather(1, ids.unsqueeze(-1).expand(-1, -1, 32)), ids);
        Assert.True(FixtureFiles.RelativeError(viaSdpa, manual) < 1e-5);
    }

    [Fact]
    public void SinCosOfPositionsStaysOnTheirDevice()
    {
        // A CUDA clip's frame positions met a CPU frequency table and the motion stage failed on the GPU at its first step;
        // the meta device (shapes only) catches the same mismatch on a machine without CUDA.
        using var positions = arange(5, device: torch.META);
        using var table = SinCosPositionEmbedding.OneDimensional(8, positions);
        Assert.Equal(DeviceType.META, table.device_type);
        Assert.Equal(new long[] { 5, 8 }, table.shape);
    }

    [Fact]
    public void SinCosFirstHalfEncodesTheColumn()
    {
        const int d = 16, g = 4;
        var table = SinCosPositionEmbedding.Table(d, g);
        Assert.Equal(ScalarType.Float64, table.dtype);
        Assert.Equal(new long[] { g * g, d }, table.shape);
        // Tokens in one column (same w, different h) share the first half; tokens in one row share the second.
        Assert.True(table[1, ..(d / 2)].equal(table[1 + g, ..(d / 2)]).all().item<bool>());
        Assert.False(table[1, (d / 2)..].equal(table[1 + g, (d / 2)..]).all().item<bool>());
        Assert.True(table[g, (d / 2)..].equal(table[g + 2, (d / 2)..]).all().item<bool>());
        // Each half is [sin(pos·ω), cos(pos·ω)], ω_0 = 1: token (h=2, w=3) → sin 3 at 0, cos 3 at d/4, sin 2 at d/2.
        var token = table[2 * g + 3];
        Assert.Equal(Math.Sin(3), token[0].item<double>(), 12);
        Assert.Equal(Math.Cos(3), token[d / 4].item<double>(), 12);
        Assert.Equal(Math.Sin(2), token[d / 2].item<double>(), 12);
        Assert.Equal(Math.Sin(3 * Math.Pow(10000, -1.0 / 4)), token[1].item<double>(), 12);
    }

    [Fact]
    public void TimestepEmbeddingIsCosineFirst()
    {
        var emb = TimestepEmbedder.FrequencyEmbedding(tensor(new long[] { 0, 10 }));
        Assert.Equal(new long[] { 2, 256 }, emb.shape);
        Assert.Equal(1.0, emb[0, 0].item<float>(), 6);
        Assert.Equal(0.0, emb[0, 128].item<float>(), 6);
        Assert.Equal(Math.Cos(10), emb[1, 0].item<float>(), 5);
        Assert.Equal(Math.Sin(10), emb[1, 128].item<float>(), 5);
    }

    [Fact]
    public void FreshAdaLnZeroBlockIsTheIdentity()
    {
        using var block = new TransformerBlock(32, 4, relativeGridSize: 3);
        var x = randn(2, 9, 32);
        var c = randn(2, 32);
        Assert.True(block.forward(x, c).equal(x).all().item<bool>());
        using var skipBlock = new TransformerBlock(32, 4, skip: true);
        var fused = nn.functional.linear(cat([x, x], -1), skipBlock.state_dict()["skip_linear.weight"], skipBlock.state_dict()["skip_linear.bias"]);
        Assert.True(FixtureFiles.RelativeError(skipBlock.forward(x, c, x, null), fused) < 1e-6);
    }

    [Fact]
    public void PatchifyAndUnpatchifyAreInverse()
    {
        var x = randn(2, 3, 8, 8);
        var tokens = Patches.Patchify(x, 2);
        Assert.Equal(new long[] { 2, 16, 12 }, tokens.shape);
        // Token 1 is (row 0, col 1); its vector is [pi][pj][c], channel fastest.
        Assert.Equal(x[0, 1, 1, 3].item<float>(), tokens[0, 1, (1 * 2 + 1) * 3 + 1].item<float>());
        Assert.True(Patches.Unpatchify(tokens, 2, 3).equal(x).all().item<bool>());
    }

    [Fact]
    public void InitialisationFollowsTheOfficialScheme()
    {
        var config = new DenoiserConfig { InputSize = 8, HiddenSize = 64, NumHeads = 4, Depth = 4, DecodeLayer = 2, NumClasses = 10 };
        using var net = DiffusionLab.Runs.DenoiserFactory.Create(config);
        var sd = net.state_dict();
        foreach (var key in sd.Keys.Where(k => k.Contains("adaLN_modulation") || k.StartsWith("final_layer.linear")))
            Assert.True(sd[key].eq(0).all().item<bool>(), key);
        Assert.InRange(sd["y_embedder.embedding_table.weight"].std().item<float>(), 0.015, 0.025);
        Assert.InRange(sd["mask_token"].std().item<float>(), 0.01, 0.03);
        Assert.True(sd["pos_embed"].equal(SinCosPositionEmbedding.Table(64, 4).to(ScalarType.Float32).unsqueeze(0)).all().item<bool>());
        Assert.True(sd["x_embedder.proj.bias"].eq(0).all().item<bool>());
        // xavier_uniform bound for the patch conv viewed as [64, 16]: sqrt(6 / 80).
        Assert.InRange(sd["x_embedder.proj.weight"].abs().max().item<float>(), 0.2, Math.Sqrt(6.0 / 80));
        Assert.InRange(sd["en_inblocks.0.attn.rel_pos_bias.relative_position_bias_table"].std().item<float>(), 0.01, 0.03);
    }
}
