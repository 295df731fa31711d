using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Pipelines;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// Generates story images with consistent self-attention in the chosen blocks of a text-to-image MDT: references
/// of a character together while writing its bank, later panels one batch at a time reading the banks, all
/// images together (Batch, the paper's formulation), or plainly (no CSA). Sampling, guidance on the empty prompt and
/// the noise of each image's seed are the pipeline's; the attention context is a
/// <see cref="ConsistentAttentionConditioning"/> built per call from <see cref="ConsistentAttentionConfig.Seed"/>.
/// </summary>
public sealed class ConsistentStorySampler
{
    private readonly SamplingPipeline _pipeline;
    private readonly MaskedDiffusionTransformer _model;
    private readonly IReadOnlyList<string> _blocks;

    public ConsistentStorySampler(SamplingPipeline pipeline, ConsistentAttentionConfig config)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(config);
        if (pipeline.Model is not MaskedDiffusionTransformer model || !model.Config.IsTextConditioned)
            throw new ArgumentException("consistent story sampling needs a text-conditioned MDT");
        config.Validate();
        _pipeline = pipeline;
        _model = model;
        Config = config;
        _blocks = config.Blocks ?? model.DecoderBlockNames;
        SelfAttentionHooks.Uniform(_blocks, new PassThrough()).CheckAgainst(model.BlockNames.ToHashSet());
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
        if (seeds.Count != ids.shape[0]) throw new ArgumentException($"{seeds.Count} seeds for {ids.shape[0]} prompts");
        using var conditioning = new ConsistentAttentionConditioning(_model, Config, _blocks, ids, mode, banks);
        return _pipeline.Generate(conditioning, seeds);
    }

    private sealed class PassThrough : ISelfAttentionProcessor
    {
        public Tensor Attend(string blockName, Attention attention, Tensor x) => attention.forward(x);
    }
}
