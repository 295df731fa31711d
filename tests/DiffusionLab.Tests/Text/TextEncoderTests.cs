using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Text;

public class TextEncoderTests
{
    private static readonly WordTokenizer Tok = TextTestData.Tokenizer();

    private static TextEncoderConfig SmallConfig => new() { VocabSize = Tok.VocabSize, MaxLength = 16, Width = 32, Depth = 2, Heads = 4 };

    private static TextEncoder Small(ulong seed = 0) => new(SmallConfig, generator: new Generator(seed));

    private static Tensor Ids(params string[] texts) => Tok.EncodeBatch(texts, 16);

    private static bool Close(Tensor a, Tensor b) => a.allclose(b, rtol: 1e-5, atol: 1e-6);

    [Fact]
    public void OutputShapes()
    {
        using var enc = Small();
        using var _ = no_grad();
        using var emb = enc.forward(Ids(TextTestData.Captions[..3]));
        Assert.Equal(new long[] { 3, 16, 32 }, emb.Tokens.shape);
        Assert.Equal(new long[] { 3, 32 }, emb.Pooled.shape);
        Assert.Equal(new long[] { 3, 16 }, emb.PaddingMask.shape);
        Assert.Equal(ScalarType.Bool, emb.PaddingMask.dtype);
    }

    [Fact]
    public void PaddingMaskIsTrueOnBosWordsAndEos()
    {
        using var enc = Small();
        using var _ = no_grad();
        using var emb = enc.forward(Ids("a woman", "a photo of a man"));
        Assert.Equal([true, true, true, true, false], emb.PaddingMask[0, ..5].data<bool>().ToArray());
        Assert.Equal(7L, emb.PaddingMask[1].sum().item<long>());
    }

    [Fact]
    public void PooledIsTheTokenAtEachRowsEos()
    {
        using var enc = Small();
        using var _ = no_grad();
        using var emb = enc.forward(Ids("a woman", "a photo of a man wearing glasses"));
        Assert.True(emb.Pooled[0].equal(emb.Tokens[0, 3]).all().item<bool>());
        Assert.True(emb.Pooled[1].equal(emb.Tokens[1, 8]).all().item<bool>());
    }

    [Fact]
    public void AttentionIsCausal()
    {
        using var enc = Small();
        using var _ = no_grad();
        using var ids = Ids("a photo of a woman wearing a party hat");
        using var changed = ids.clone();
        changed[0, 6] = tensor(Tok.IdOf("beach"));
        using var a = enc.forward(ids);
        using var b = enc.forward(changed);
        Assert.True(Close(a.Tokens[0, ..6], b.Tokens[0, ..6]));
        Assert.False(Close(a.Tokens[0, 6..], b.Tokens[0, 6..]));
    }

    [Fact]
    public void PadsAndOtherRowsDoNotChangeRealTokens()
    {
        using var enc = Small();
        using var _ = no_grad();
        using var ids = Ids("a photo of a woman");
        using var otherPads = ids.clone();
        otherPads[0, 7..] = tensor(Tok.IdOf("hat"));
        using var alone = enc.forward(ids);
        using var repadded = enc.forward(otherPads);
        using var inBatch = enc.forward(Ids("a man , frowning", "a photo of a woman", ""));
        Assert.True(Close(alone.Tokens[0, ..7], repadded.Tokens[0, ..7]));
        Assert.True(Close(alone.Pooled, repadded.Pooled));
        Assert.True(Close(alone.Tokens[0], inBatch.Tokens[1]));
    }

    [Fact]
    public void ClassTokenCopiesComeOutDifferent()
    {
        using var enc = Small();
        using var _ = no_grad();
        using var batch = ClassTokenBatch.Encode(Tok, [("a photo of a woman img", 3)], 16);
        using var emb = enc.forward(batch.Ids);
        var copies = emb.Tokens[0][batch.ClassMask[0]];                         // (3, D)
        Assert.Equal(new long[] { 3, 32 }, copies.shape);
        Assert.False(Close(copies[0], copies[1]));
        Assert.False(Close(copies[1], copies[2]));
    }

    [Fact]
    public void ASeedGivesTheSameWeightsAndOutputs()
    {
        using var a = Small(seed: 7);
        using var b = Small(seed: 7);
        using var c = Small(seed: 8);
        foreach (var (name, p) in a.named_parameters())
            Assert.True(p.equal(b.get_parameter(name)!).all().item<bool>(), name);
        Assert.False(a.get_parameter("token_embedding.weight")!.equal(c.get_parameter("token_embedding.weight")!).all().item<bool>());
        using var _ = no_grad();
        using var ids = Ids(TextTestData.Captions);
        Assert.True(a.forward(ids).Tokens.equal(b.forward(ids).Tokens).all().item<bool>());
    }

    [Fact]
    public void InitialisationFollowsClip()
    {
        using var enc = new TextEncoder(new TextEncoderConfig { VocabSize = 200, MaxLength = 64, Width = 128, Depth = 4 }, generator: new Generator(1));
        double Std(string name) => enc.get_parameter(name)!.std().item<float>();
        Assert.Equal(0.02, Std("token_embedding.weight"), 2);
        Assert.Equal(0.01, Std("positional_embedding"), 3);
        Assert.Equal(Math.Pow(128, -0.5), Std("layers.0.attn.qkv.weight"), 2);
        Assert.Equal(Math.Pow(128, -0.5) / Math.Sqrt(8), Std("layers.3.mlp.fc2.weight"), 2);
        Assert.Equal(0.0, enc.get_parameter("layers.1.mlp.fc1.bias")!.abs().max().item<float>());
        Assert.Equal(1.0, enc.get_parameter("ln_final.weight")!.min().item<float>());
    }

    [Theory]
    [InlineData(100, 32, 256, 4)]
    [InlineData(57, 16, 32, 2)]
    public void ParameterCountFollowsTheFormula(int vocab, int maxLength, int width, int depth)
    {
        using var enc = new TextEncoder(new TextEncoderConfig { VocabSize = vocab, MaxLength = maxLength, Width = width, Depth = depth }, new Device(DeviceType.META));
        long d = width;
        // embeddings + per layer (2 LayerNorms 4D, qkv 3D²+3D, proj D²+D, fc1 4D²+4D, fc2 4D²+D) + final LayerNorm
        long expected = vocab * d + maxLength * d + depth * (12 * d * d + 13 * d) + 2 * d;
        Assert.Equal(expected, enc.parameters().Sum(p => p.numel()));
        Assert.Equal(["positional_embedding", "token_embedding.weight", "layers.0.ln_1.weight", "layers.0.ln_1.bias", "layers.0.attn.qkv.weight"],
            enc.state_dict().Keys.Take(5));
    }

    [Fact]
    public void BadConfigsAndIdsAreOneLineErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => new TextEncoder(SmallConfig with { Heads = 5 }));
        Assert.Equal("text encoder config: Width=32, Heads=5: expected positive values with Width divisible by Heads", e.Message);
        Assert.Contains("VocabSize=0", Assert.Throws<ArgumentException>(() => new TextEncoder(new TextEncoderConfig())).Message);
        using var enc = Small();
        Assert.Contains("MaxLength=16", Assert.Throws<ArgumentException>(() => enc.forward(Tok.EncodeBatch(["a woman"], 17))).Message);
        Assert.Contains("EOS", Assert.Throws<ArgumentException>(() => enc.forward(zeros(1, 16, dtype: ScalarType.Int64))).Message);
    }

    [Fact]
    public void TheNullPromptIsBosEosAndPads()
    {
        using var enc = Small();
        using var ids = enc.NullPromptIds(2);
        Assert.Equal(new long[] { 2, 16 }, ids.shape);
        Assert.Equal([1L, 2L, .. Enumerable.Repeat(0L, 14)], ids[1].data<long>().ToArray());
        Assert.Equal(ids[0].data<long>().ToArray(), Tok.Encode("", 16).Ids);
        using var captions = Ids(TextTestData.Captions[..2]);
        using var dropped = NullPrompt.Apply(captions, tensor(new[] { false, true }));
        Assert.True(dropped[0].equal(captions[0]).all().item<bool>());
        Assert.True(dropped[1].equal(ids[1]).all().item<bool>());
    }
}
