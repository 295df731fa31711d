using DiffusionLab.Diffusion;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// Generates story images with consistent self-attention in the chosen blocks of a text-to-image MDT: references
/// of a character together while writing its bank, later panels one batch at a time reading the banks, all
/// images together (Batch, the paper's formulation), or plainly (no CSA). DDIM with classifier-free guidance on
/// the empty prompt; each image starts from the noise of its own seed. Every call builds its own hooks and
/// random state from <see cref="ConsistentAttentionConfig.Seed"/>: nothing is kept between calls but the banks.
/// </summary>
public sealed class ConsistentStorySampler
{
    private readonly MaskedDiffusionTransformer _model;
    private readonly SpacedDiffusion _diffusion;
    private readonly double _guidanceScale;
    private readonly IReadOnlyList<string> _blocks;
    private readonly Dictionary<long, int> _stepOf;

    public ConsistentStorySampler(MaskedDiffusionTransformer model, SpacedDiffusion diffusion, double guidanceScale, ConsistentAttentionConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        if (!model.Config.IsTextConditioned) throw new ArgumentException("consistent story sampling needs a text-conditioned network");
        config.Validate();
        _model = model;
        _diffusion = diffusion;
        _guidanceScale = guidanceScale;
        Config = config;
        _blocks = config.Blocks ?? model.DecoderBlockNames;
        SelfAttentionHooks.Uniform(_blocks, new PassThrough()).CheckAgainst(model.BlockNames.ToHashSet());
        // Sampling step 0 is the noisiest: original timestep of index K−1.
        int k = diffusion.NumTimesteps;
        _stepOf = Enumerable.Range(0, k).ToDictionary(i => diffusion.OriginalTimestep(i), i => k - 1 - i);
    }

    public ConsistentAttentionConfig Config { get; }

    public IReadOnlyList<string> Blocks => _blocks;

    /// <summary>References of one character generated together (mutual CSA), their sampled tokens written into <paramref name="bank"/>.</summary>
    public Tensor GenerateReferences(Tensor ids, IReadOnlyList<long> seeds, CharacterBank bank) =>
        Generate(ids, seeds, ConsistentAttentionMode.Write, [bank]);

    /// <summary>Panels (each on its own) attending to their own tokens and to the banks' tokens of each step.</summary>
    public Tensor GeneratePanels(Tensor ids, IReadOnlyList<long> seeds, IReadOnlyList<CharacterBank> banks) =>
        banks.Count == 0 ? GeneratePlain(ids, seeds) : Generate(ids, seeds, ConsistentAttentionMode.Read, banks);

    /// <summary>All images in one batch with mutual CSA and no bank (memory grows with the number of images).</summary>
    public Tensor GenerateTogether(Tensor ids, IReadOnlyList<long> seeds) => Generate(ids, seeds, ConsistentAttentionMode.Batch, []);

    /// <summary>Independent images: plain self-attention everywhere.</summary>
    public Tensor GeneratePlain(Tensor ids, IReadOnlyList<long> seeds) => Generate(ids, seeds, null, []);

    private Tensor Generate(Tensor ids, IReadOnlyList<long> seeds, ConsistentAttentionMode? mode, IReadOnlyList<CharacterBank> banks)
    {
        long n = ids.shape[0];
        if (seeds.Count != n) throw new ArgumentException($"{seeds.Count} seeds for {n} prompts");
        var device = _model.parameters().First().device;
        var config = _model.Config;
        using var tokenDraws = new Generator((ulong)Config.Seed, CPU);
        var coins = new Random((int)(Config.Seed & 0x7fffffff));
        int steps = _diffusion.NumTimesteps;

        Tensor Network(Tensor x, Tensor t, Tensor y)
        {
            if (mode is not { } m) return _model.forward(x, t, y);
            int halves = (int)(x.shape[0] / n);
            long key = t[0].item<long>();
            int step = _stepOf.TryGetValue(key, out int s) ? s : throw new InvalidOperationException($"timestep {key} is not one of the sampler's");
            long tokens = config.NumTokens;
            // One draw per image and step, shared by every block (storydiffusion.md §2.3 B).
            var sampled = m == ConsistentAttentionMode.Read ? []
                : Enumerable.Range(0, (int)n).Select(_ => nonzero(rand([tokens], generator: tokenDraws) < Config.SamplingRate).view(-1).to(x.device)).ToList();
            var csa = new ConsistentSelfAttention(m, banks, key, Config.Schedule.Probability(step, steps), sampled, halves, coins);
            return _model.Forward(x, t, y, SelfAttentionHooks.Uniform(_blocks, csa));
        }

        using var scope = NewDisposeScope();
        var y = ids.to(device);
        using var nullCondition = _model.NullCondition();
        DenoiseFn denoise = _guidanceScale == 1.0
            ? (x, t) => Network(x, t, y)
            : ClassifierFreeGuidance.Wrap(Network, y, nullCondition, GuidanceSchedule.Constant(_guidanceScale), GuidedChannels.All, config.InChannels);
        var noise = cat(seeds.Select(s => InitialNoise(s, config)).ToList(), 0).to(device);
        bool wasTraining = _model.training;
        _model.eval();
        try
        {
            using var _ = no_grad();
            return new DdimSampler().Sample(_diffusion, denoise, noise, null).clamp(-1, 1).MoveToOuterDisposeScope();
        }
        finally
        {
            if (wasTraining) _model.train();
        }
    }

    /// <summary>The starting noise of one image (1, C, H, W), from its seed alone: the same seed gives the same start in any batch.</summary>
    public static Tensor InitialNoise(long seed, DenoiserConfig config)
    {
        using var generator = new Generator((ulong)seed, CPU);
        return randn([1, config.InChannels, config.InputSize, config.InputSize], generator: generator);
    }

    private sealed class PassThrough : ISelfAttentionProcessor
    {
        public Tensor Attend(string blockName, Attention attention, Tensor x) => attention.forward(x);
    }
}
