using DiffusionLab.Diffusion;
using DiffusionLab.Mdt;
using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;
using DiffusionLab.Modules;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Tests.Models;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.StoryDiffusion;

/// <summary>Consistent self-attention through the network's hook: write/read banks, batch CSA, schedule, CFG halves.</summary>
public class ConsistentAttentionTests
{
    private static MaskedDiffusionTransformer Model()
    {
        torch.manual_seed(11);
        var net = new MaskedDiffusionTransformer(TextConditioningTests.Tiny);
        using (no_grad()) foreach (var p in net.parameters()) if (p.requires_grad) p.normal_(0, 0.1);
        net.eval();
        return net;
    }

    private static readonly SpacedDiffusion Diffusion = SpacedDiffusion.Create(BetaSchedule.Create("linear", 1000), "ddim4");

    private static ConsistentStorySampler Sampler(MaskedDiffusionTransformer net, double rate, IReadOnlyList<string>? blocks = null, double guidance = 3.0) =>
        new(new SamplingPipeline(net, BetaSchedule.Linear(1000), new SamplingSection { Sampler = SamplerKind.Ddim, Respacing = "ddim4", GuidanceScale = guidance }), new ConsistentAttentionConfig { SamplingRate = rate, Blocks = blocks, Schedule = ConsistentAttentionSchedule.Always, Seed = 5 });

    private static Tensor Prompts(int n) => stack(Enumerable.Range(0, n).Select(i =>
        tensor(new long[] { WordTokenizer.BosId, 4 + i % 3, 7, WordTokenizer.EosId, 0, 0, 0, 0 })).ToList());

    [Fact]
    public void AtRateZeroConsistentAttentionIsPlainAttention()
    {
        using var net = Model();
        var seeds = new long[] { 1, 2, 3 };
        var plain = Sampler(net, 0).GeneratePlain(Prompts(3), seeds);
        Assert.True(plain.eq(Sampler(net, 0).GenerateTogether(Prompts(3), seeds)).all().item<bool>());
        using var bank = new CharacterBank("a");
        Assert.True(plain.eq(Sampler(net, 0).GenerateReferences(Prompts(3), seeds, bank)).all().item<bool>());
        Assert.False(plain.allclose(Sampler(net, 1).GenerateTogether(Prompts(3), seeds), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void TheBankHoldsTheChosenBlocksOnlyAndReadingNeverGrowsIt()
    {
        using var net = Model();
        string last = net.DecoderBlockNames[^1];
        var sampler = Sampler(net, 0.5, [last]);
        using var bank = new CharacterBank("lily");
        sampler.GenerateReferences(Prompts(2), [1, 2], bank);
        Assert.Equal(1 * 4 * 2, bank.Count);                          // blocks × steps × references
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(2, bank.Read(last, Diffusion.OriginalTimestep(i)).Count));
        Assert.Empty(bank.Read(net.DecoderBlockNames[0], Diffusion.OriginalTimestep(0)));
        long bytes = bank.Bytes;
        Assert.True(bytes > 0);

        var one = sampler.GeneratePanels(Prompts(1), [9], [bank]);
        Assert.Equal(bytes, bank.Bytes);
        var three = sampler.GeneratePanels(Prompts(3), [9, 9, 9], [bank]);
        Assert.Equal(bytes, bank.Bytes);
        Assert.Equal(8, bank.Count);
        // Panels are generated independently of each other: a panel reads only the bank.
        // Batches of 1 and 3 round differently in float32 (about 2e-5 once x̂_0 is clipped), far below one grey level.
        Assert.True(one[0].allclose(three[0], rtol: 1e-4, atol: 1e-4));
        Assert.False(one[0].allclose(sampler.GeneratePlain(Prompts(1), [9])[0], rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void ACharacterFileRoundTripsAndReadsTheSame()
    {
        using var net = Model();
        var sampler = Sampler(net, 0.5);
        using var bank = new CharacterBank("lily");
        sampler.GenerateReferences(Prompts(2), [1, 2], bank);
        string path = Path.Combine(Training.TinyRuns.TempDir("bank"), "lily.safetensors");
        bank.Save(path);
        using var loaded = CharacterBank.Load(path);
        Assert.Equal(("lily", bank.Count, bank.Bytes), (loaded.Character, loaded.Count, loaded.Bytes));
        Assert.True(sampler.GeneratePanels(Prompts(1), [4], [bank]).eq(sampler.GeneratePanels(Prompts(1), [4], [loaded])).all().item<bool>());
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.ThrowsAny<Exception>(() => CharacterBank.Load(path));
    }

    [Fact]
    public void GuidanceHalvesNeverSeeEachOther()
    {
        torch.manual_seed(3);
        using var attention = new Attention(16, 2);
        var x = randn(2 * 2, 5, 16);                                   // [cond_0, cond_1, uncond_0, uncond_1]
        var all = arange(5, dtype: ScalarType.Int64);
        Tensor Run(Tensor input) => new ConsistentSelfAttention(ConsistentAttentionMode.Batch, [], 100, 1.0, [all, all], 2, new Random(0)).Attend("b", attention, input);
        var y = Run(x);
        var changed = x.clone();
        changed[3] = randn(5, 16);                                     // another uncond image 1
        var z = Run(changed);
        Assert.True(y[..2].eq(z[..2]).all().item<bool>());             // the cond half never saw it
        Assert.False(y[2].allclose(z[2], rtol: 1e-4, atol: 1e-5));    // uncond image 0 did
    }

    [Fact]
    public void TheScheduleFollowsTheOfficialCode()
    {
        var s = new ConsistentAttentionSchedule();
        Assert.Equal(0, s.Probability(0, 50));
        Assert.Equal(0.7, s.Probability(1, 50));
        Assert.Equal(0.7, s.Probability(19, 50));
        Assert.Equal(0.9, s.Probability(20, 50));
        Assert.Throws<ArgumentException>(() => new ConsistentAttentionConfig { SamplingRate = 1.5 }.Validate());
    }

    [Fact]
    public void ARenderIsReproducibleAndUnknownBlocksAreNamed()
    {
        using var net = Model();
        var a = Sampler(net, 0.5).GenerateTogether(Prompts(2), [1, 2]);
        Assert.True(a.eq(Sampler(net, 0.5).GenerateTogether(Prompts(2), [1, 2])).all().item<bool>());
        var e = Assert.Throws<ArgumentException>(() => Sampler(net, 0.5, ["up_blocks.0"]));
        Assert.Contains("'up_blocks.0'", e.Message);
    }
}
