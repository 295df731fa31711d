using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using DiffusionLab.Text;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Models;

/// <summary>The text-conditioned MDT: cross-attention to a jointly trained text encoder, and the per-call self-attention hook.</summary>
public class TextConditioningTests
{
    internal static readonly DenoiserConfig Tiny = new()
    {
        Architecture = Architecture.MdtV2, InputSize = 16, PatchSize = 4, InChannels = 3, HiddenSize = 64, NumHeads = 2, Depth = 4, DecodeLayer = 2,
        Conditioning = ConditioningKind.Text, TextVocabSize = 12, TextMaxLength = 8, TextWidth = 16, TextDepth = 1, TextHeads = 2,
    };

    private static MaskedDiffusionTransformer Build(DenoiserConfig config, int seed = 0)
    {
        torch.manual_seed(seed);
        var net = new MaskedDiffusionTransformer(config);
        // Random gates and projections: a fresh network is the identity and ignores the text by design.
        using (no_grad()) foreach (var p in net.parameters()) if (p.requires_grad) p.normal_(0, 0.1);
        net.eval();
        return net;
    }

    // BOS w w w EOS pad pad pad
    private static Tensor Ids(params long[][] words) =>
        stack(words.Select(w => tensor(new long[] { WordTokenizer.BosId }.Concat(w).Append(WordTokenizer.EosId).Concat(Enumerable.Repeat(0L, 8 - w.Length - 2))
            .ToArray())).ToArray());

    private static (Tensor X, Tensor T) Inputs(int n = 2) => (randn(new long[] { n, 3, 16, 16 }, generator: new Generator(5)), tensor(Enumerable.Range(0, n).Select(i => 100L + 300 * i).ToArray()));

    [Fact]
    public void TheNetworkReadsThePromptThroughTheUnmaskedAndTheMaskedPath()
    {
        using var net = Build(Tiny);
        var (x, t) = Inputs();
        using var _ = no_grad();
        var a = net.forward(x, t, Ids([4, 5, 6], [7, 8]));
        Assert.Equal(new long[] { 2, 6, 16, 16 }, a.shape);
        var b = net.forward(x, t, Ids([4, 5, 6], [7, 9]));
        Assert.True(a[0].eq(b[0]).all().item<bool>());     // prompts are per image
        Assert.False(a[1].allclose(b[1], rtol: 1e-4, atol: 1e-5));

        var masking = RandomMasking.Draw(2, 16, 0.4, CPU, new Generator(2));
        var m = net.ForwardMasked(x, t, Ids([4, 5, 6], [7, 8]), masking);
        Assert.Equal(a.shape, m.shape);
        Assert.False(m[1].allclose(net.ForwardMasked(x, t, Ids([4, 5, 6], [7, 9]), masking)[1], rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void AnEncodedEmbeddingGivesTheSameOutputAsTheIdsAndCanBeEdited()
    {
        using var net = Build(Tiny);
        var (x, t) = Inputs();
        using var _ = no_grad();
        var ids = Ids([4, 5, 6], [7, 8]);
        using var text = net.EncodeText(ids);
        Assert.True(net.forward(x, t, ids).eq(net.Forward(x, t, text)).all().item<bool>());
        var edited = text with { Tokens = text.Tokens.clone() };
        edited.Tokens[1, 2] = randn(16);                            // e.g. a stacked-ID token in place of the class word
        var y = net.Forward(x, t, edited);
        Assert.False(y[1].allclose(net.Forward(x, t, text)[1], rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void TheNullConditionIsTheEmptyPrompt()
    {
        using var net = Build(Tiny);
        var empty = net.NullCondition();
        Assert.Equal(new long[] { 8 }, empty.shape);
        Assert.Equal(new long[] { WordTokenizer.BosId, WordTokenizer.EosId, 0, 0, 0, 0, 0, 0 }, empty.data<long>().ToArray());
        var dropped = DiffusionLab.Diffusion.TrainingDraws.DropConditions(Ids([4, 5, 6], [7, 8]), 1.0, empty, new Generator(0));
        Assert.True(dropped.eq(empty.expand(2, 8)).all().item<bool>());
    }

    private sealed class PerImage(Func<Attention, Tensor, Tensor> attend) : ISelfAttentionProcessor
    {
        public List<string> Calls { get; } = [];

        public Tensor Attend(string blockName, Attention attention, Tensor x)
        {
            Calls.Add(blockName);
            return attend(attention, x);
        }
    }

    [Fact]
    public void AHookChangesTheOutputOnlyWhereItIsUsed()
    {
        using var net = Build(Tiny);
        var (x, t) = Inputs();
        var ids = Ids([4, 5, 6], [7, 8]);
        using var _ = no_grad();
        var plain = net.forward(x, t, ids);

        var identity = new PerImage((a, h) => a.forward(h));
        Assert.True(plain.eq(net.Forward(x, t, ids, SelfAttentionHooks.Uniform(net.BlockNames, identity))).all().item<bool>());
        Assert.Equal(net.BlockNames, identity.Calls);

        // In the last decoder block only, image 1 also attends to image 0's tokens; image 0 attends as before.
        string last = net.DecoderBlockNames[^1];
        var oneWay = new PerImage((a, h) => cat([a.forward(h[..1]), a.Attend(h[1..], h[..1], null)], 0));
        var hooked = net.Forward(x, t, ids, new SelfAttentionHooks(new Dictionary<string, ISelfAttentionProcessor> { [last] = oneWay }));
        Assert.Equal([last], oneWay.Calls);
        Assert.True(hooked[0].eq(plain[0]).all().item<bool>());
        Assert.False(hooked[1].allclose(plain[1], rtol: 1e-4, atol: 1e-5));
        Assert.True(plain.eq(net.forward(x, t, ids)).all().item<bool>()); // the hook left nothing behind

        Assert.Equal(["en_inblocks.0", "en_outblocks.0", "de_blocks.0", "de_blocks.1"], net.BlockNames);
        var e = Assert.Throws<ArgumentException>(() => net.Forward(x, t, ids, SelfAttentionHooks.Uniform(["blocks.7"], identity)));
        Assert.Contains("'blocks.7'", e.Message);
    }

    [Fact]
    public void ClassConditionalNetworksTakeHooksToo()
    {
        var config = Tiny with { Conditioning = ConditioningKind.ClassLabel, NumClasses = 5 };
        using var net = Build(config);
        var (x, t) = Inputs();
        var y = tensor(new long[] { 1, 5 });
        using var _ = no_grad();
        var identity = new PerImage((a, h) => a.forward(h));
        Assert.True(net.forward(x, t, y).eq(net.Forward(x, t, y, SelfAttentionHooks.Uniform(net.DecoderBlockNames, identity))).all().item<bool>());
        Assert.Equal(net.DecoderBlockNames, identity.Calls);
        Assert.Throws<InvalidOperationException>(() => net.EncodeText(tensor(new long[,] { { 1, 2 } })));
    }

    [Fact]
    public void TextPresetsAndTheirProblems()
    {
        var preset = DenoiserPresets.Get("MDTv2-T2I-Tiny/4");
        Assert.Equal((32, 3, 64, ConditioningKind.Text), (preset.InputSize, preset.InChannels, preset.NumTokens, preset.Conditioning));
        Assert.Equal((64, 256), (DenoiserPresets.Get("MDTv2-T2I-S/4").InputSize, DenoiserPresets.Get("MDTv2-T2I-S/4").NumTokens));
        // A token must hold its patch's values: Tiny's width 128 cannot carry 8×8×3 = 192.
        Assert.False(DenoiserPresets.TryGet("MDTv2-T2I-Tiny/8", out _));
        Assert.Contains((preset with { TextVocabSize = 40, PatchSize = 8 }).Problems(), p => p.StartsWith("HiddenSize=128: a token carries"));
        Assert.Contains(preset.Problems(), p => p.StartsWith("TextVocabSize=0"));  // filled in from the tokenizer
        Assert.Empty((preset with { TextVocabSize = 40 }).Problems());
        Assert.False(DenoiserPresets.TryGet("DiT-T2I-S/4", out _));
        Assert.Contains(new DenoiserConfig { Architecture = Architecture.DiT, Conditioning = ConditioningKind.Text, TextVocabSize = 40 }.Problems(),
            p => p.StartsWith("Conditioning=Text"));
    }

    [Fact]
    public void ATrainingStepOnPromptsLowersTheLoss()
    {
        var config = new TrainConfig { Model = Tiny, ModelPreset = "test", Optimizer = new OptimizerSection { Name = OptimizerKind.AdamW, LearningRate = 3e-3, GradClip = null } };
        var images = rand(new long[] { 4, 3, 16, 16 }, generator: new Generator(7)) * 2 - 1;
        var ids = Ids([4, 5, 6], [7, 8], [9], [10, 11, 4, 5]);
        using var run = TinyRuns.InMemory(config, images, ids, seed: 3);
        run.Trainer.Train(stopAfter: 30);
        double first = run.Trainer.Rows[0]["mse"], last = run.Trainer.Rows[^1]["mse"];
        Assert.True(last < first, $"mse {first} -> {last}");
    }
}
