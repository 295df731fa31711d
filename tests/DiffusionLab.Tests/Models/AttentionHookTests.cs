using DiffusionLab.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Models;

/// <summary>Extra key/value tokens, cross-attention and the per-call self-attention hook of the shared blocks.</summary>
public class AttentionHookTests
{
    private sealed class Recording(Func<Attention, Tensor, Tensor> attend) : ISelfAttentionProcessor
    {
        public List<string> Calls { get; } = [];

        public Tensor Attend(string blockName, Attention attention, Tensor x)
        {
            Calls.Add(blockName);
            return attend(attention, x);
        }
    }

    [Fact]
    public void ExtraKeysValuesMatchAManualSoftmaxWithZeroBiasForThem()
    {
        torch.manual_seed(0);
        using var attn = new Attention(16, 2, relativeGridSize: 2);
        var sd = attn.state_dict();
        using (no_grad()) sd["rel_pos_bias.relative_position_bias_table"].normal_(0, 1); // a bias that matters
        var x = randn(2, 4, 16);
        var extra = randn(2, 3, 16);

        var y = attn.Attend(x, extra, null);

        var q = nn.functional.linear(x, sd["qkv.weight"], sd["qkv.bias"]).view(2, 4, 3, 2, 8).permute(2, 0, 3, 1, 4)[0];
        var kv = nn.functional.linear(cat([x, extra], 1), sd["qkv.weight"], sd["qkv.bias"]).view(2, 7, 3, 2, 8).permute(2, 0, 3, 1, 4);
        var rel = ((RelativePositionBias)attn.named_children().Single(c => c.name == "rel_pos_bias").module).Bias(); // (H, 4, 4)
        var bias = nn.functional.pad(rel, [0, 3]);
        var logits = q.matmul(kv[1].transpose(-2, -1)) * Math.Pow(8, -0.5) + bias;
        var manual = nn.functional.linear(logits.softmax(-1).matmul(kv[2]).transpose(1, 2).reshape(2, 4, 16), sd["proj.weight"], sd["proj.bias"]);
        Assert.True(FixtureFiles.RelativeError(y, manual) < 1e-5);
        Assert.True(FixtureFiles.RelativeError(attn.Attend(x, null, null), attn.forward(x)) == 0);
    }

    [Fact]
    public void CrossAttentionStartsAtZeroAndNeverReadsPaddedTokens()
    {
        torch.manual_seed(1);
        using var cross = new CrossAttention(16, 8, 2);
        var x = randn(2, 5, 16);
        var text = randn(2, 6, 8);
        var mask = tensor(new bool[,] { { true, true, true, false, false, false }, { true, true, true, true, true, false } });
        Assert.Equal(0.0, cross.forward(x, new CrossAttentionContext(text, mask)).abs().max().item<float>());

        using (no_grad()) foreach (var p in cross.parameters()) p.normal_(0, 0.5);
        var y = cross.forward(x, new CrossAttentionContext(text, mask));
        var otherPadding = text.clone();
        otherPadding[0, 3..] = randn(3, 8);
        otherPadding[1, 5..] = randn(1, 8);
        Assert.True(y.allclose(cross.forward(x, new CrossAttentionContext(otherPadding, mask)), rtol: 1e-5, atol: 1e-6));
        otherPadding[0, 1] = randn(8);
        Assert.False(y.allclose(cross.forward(x, new CrossAttentionContext(otherPadding, mask)), rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void TextBlockNeedsTextAndAPlainBlockRefusesIt()
    {
        using var plain = new TransformerBlock(16, 2);
        using var withText = new TransformerBlock(16, 2, contextDim: 8);
        var x = randn(1, 4, 16);
        var c = randn(1, 16);
        var text = new CrossAttentionContext(randn(1, 3, 8), null);
        Assert.Throws<ArgumentException>(() => withText.forward(x, c));
        Assert.Throws<ArgumentException>(() => plain.forward(x, c, null, null, text, null, "b"));
        Assert.Equal(new long[] { 1, 4, 16 }, withText.forward(x, c, null, null, text, null, "b").shape);
    }

    [Fact]
    public void AHookReturningPlainAttentionChangesNothingAndAnotherHookChangesTheBlock()
    {
        torch.manual_seed(2);
        using var block = new TransformerBlock(16, 2, relativeGridSize: 2, contextDim: 8);
        using (no_grad()) foreach (var p in block.parameters()) p.normal_(0, 0.3); // no zero gates: attention must matter
        var x = randn(2, 4, 16);
        var c = randn(2, 16);
        var text = new CrossAttentionContext(randn(2, 3, 8), null);

        var plain = block.forward(x, c, null, null, text, null, "blocks.0");
        var identity = new Recording((a, h) => a.forward(h));
        Assert.True(plain.eq(block.forward(x, c, null, null, text, identity, "blocks.0")).all().item<bool>());
        Assert.Equal(["blocks.0"], identity.Calls);

        var withExtra = new Recording((a, h) => a.Attend(h, h.flip(0), null)); // every image also sees the other's tokens
        Assert.False(plain.allclose(block.forward(x, c, null, null, text, withExtra, "blocks.0"), rtol: 1e-3, atol: 1e-4));
        Assert.Throws<ArgumentException>(() => block.forward(x, c, null, tensor(new long[,] { { 0, 1 }, { 2, 3 } }), text, identity, "blocks.0"));
    }

    [Fact]
    public void HooksNameTheBlockTheNetworkLacks()
    {
        var hooks = SelfAttentionHooks.Uniform(["de_blocks.0", "de_blocks.9"], new Recording((a, h) => a.forward(h)));
        var e = Assert.Throws<ArgumentException>(() => hooks.CheckAgainst(["de_blocks.0", "de_blocks.1"]));
        Assert.Contains("'de_blocks.9'", e.Message);
        Assert.Null(hooks.For("de_blocks.1"));
    }
}
