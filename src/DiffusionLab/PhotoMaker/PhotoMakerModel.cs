using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// A frozen text-to-image MDT personalised the PhotoMaker way (photomaker.md §1): a <see cref="StackedIdEncoder"/>
/// turns reference images into stacked-ID tokens that replace the class-token copies of the prompt embedding (t*),
/// and the backbone is adapted either with LoRA on every attention projection (§1.4) or by unfreezing its
/// cross-attention (§7), in every block of the unmasked path (and the side-interpolator when the masked branch trains). The trained weights are keyed "id_encoder.*" (official names: vision_model, visual_projection,
/// fuse_module), "lora.{layer}.lora_A/B.weight" or "backbone.{cross-attention parameter}"; the backbone's own weights
/// are never part of them. Owns the backbone.
/// </summary>
public sealed class PhotoMakerModel : IDisposable
{
    public const string EncoderPrefix = "id_encoder.";
    public const string LoraPrefix = "lora.";
    public const string BackbonePrefix = "backbone.";

    /// <summary>PhotoMaker v1: one token per reference image (§1.3 step 3; v2 uses two).</summary>
    public const int TokensPerImage = 1;

    private readonly List<(string Name, Parameter Parameter)> _unfrozen = [];

    /// <summary>
    /// Freezes <paramref name="backbone"/> and adds the encoder and the adapters; <paramref name="generator"/> draws the
    /// encoder and then the LoRA A matrices (null: libtorch's global generator).
    /// </summary>
    public PhotoMakerModel(MaskedDiffusionTransformer backbone, PhotoMakerConfig config, Generator? generator = null)
    {
        if (!backbone.Config.IsTextConditioned)
            throw new ArgumentException("PhotoMaker personalises a text-to-image network; this backbone is class-conditional");
        Backbone = backbone;
        Config = config;
        var device = backbone.parameters().First().device;
        foreach (var p in backbone.parameters()) p.requires_grad = false;
        IdEncoder = new StackedIdEncoder(config.ImageEncoder, backbone.Config.TextWidth, generator: generator);
        IdEncoder.to(device);
        switch (config.Adaptation)
        {
            case BackboneAdaptation.Lora:
                Lora = LoraAdapters.Attach(backbone, AttentionProjectionNames(backbone, config.MaskedBranch), config.LoraRank, config.LoraAlpha, generator);
                break;
            case BackboneAdaptation.CrossAttention:
                var blocks = AdaptedBlocks(backbone, config.MaskedBranch).Select(b => b + ".cross_attn.").ToList();
                foreach (var (name, p) in backbone.named_parameters())
                    if (blocks.Any(b => name.StartsWith(b, StringComparison.Ordinal)))
                    {
                        p.requires_grad = true;
                        _unfrozen.Add((name, p));
                    }
                break;
            default:
                throw new ArgumentException($"Adaptation={config.Adaptation}: PhotoMaker trains Lora or CrossAttention");
        }
    }

    public MaskedDiffusionTransformer Backbone { get; }
    public PhotoMakerConfig Config { get; }
    public StackedIdEncoder IdEncoder { get; }
    public LoraAdapters? Lora { get; }
    public IdEmbeddingMode Mode => Config.IdEmbedding;
    public Device Device => IdEncoder.parameters().First().device;

    /// <summary>
    /// The attention projections LoRA adapts (§1.4: "all attention layers", self and cross): attn.qkv, attn.proj,
    /// cross_attn.q_linear, cross_attn.kv_linear, cross_attn.proj of every block of the unmasked path, plus the
    /// side-interpolator's when the masked branch trains too. The text encoder stays frozen (§2.1).
    /// </summary>
    public static IReadOnlyList<string> AttentionProjectionNames(MaskedDiffusionTransformer backbone, bool includeSideInterpolator) =>
        [.. AdaptedBlocks(backbone, includeSideInterpolator).SelectMany(b => new[] { $"{b}.attn.qkv", $"{b}.attn.proj", $"{b}.cross_attn.q_linear", $"{b}.cross_attn.kv_linear", $"{b}.cross_attn.proj" })];

    /// <summary>The side-interpolator runs only in the masked branch, so it is adapted only when that branch trains.</summary>
    private static IEnumerable<string> AdaptedBlocks(MaskedDiffusionTransformer backbone, bool includeSideInterpolator) =>
        includeSideInterpolator ? backbone.BlockNames.Append("sideblocks.0") : backbone.BlockNames;

    /// <summary>LoRA A/B or the unfrozen cross-attention, named as in <see cref="TrainedWeights"/> (the 1e-4 group of §2.3).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> AdapterParameters() =>
        Lora is not null ? Lora.NamedParameters().Select(p => (LoraPrefix + p.Name, p.Parameter)) : _unfrozen.Select(p => (BackbonePrefix + p.Name, p.Parameter));

    /// <summary>Image encoder, projection and fuse module (the 1e-5 group of §2.3).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> EncoderParameters() =>
        IdEncoder.named_parameters().Select(p => (EncoderPrefix + p.name, p.parameter));

    /// <summary>Everything this stage trains (live references), keyed as in a PhotoMaker checkpoint.</summary>
    public Dictionary<string, Tensor> TrainedWeights() =>
        AdapterParameters().Concat(EncoderParameters()).ToDictionary(p => p.Name, p => (Tensor)p.Parameter);

    /// <summary>Copies trained weights in; the key set and shapes must match exactly (an InvalidDataException naming <paramref name="source"/>).</summary>
    public void LoadTrainedWeights(IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        var own = TrainedWeights();
        var missing = own.Keys.Where(k => !weights.ContainsKey(k)).ToList();
        var unexpected = weights.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var shapes = own.Where(p => weights.TryGetValue(p.Key, out var t) && !t.shape.SequenceEqual(p.Value.shape)).Select(p => p.Key).ToList();
        var problems = new List<string>();
        if (missing.Count > 0) problems.Add($"missing keys ({missing.Count}): {string.Join(", ", missing.Take(4))}");
        if (unexpected.Count > 0) problems.Add($"unexpected keys ({unexpected.Count}): {string.Join(", ", unexpected.Take(4))}");
        if (shapes.Count > 0) problems.Add($"shape mismatches ({shapes.Count}): {string.Join(", ", shapes.Take(4))}");
        if (problems.Count > 0)
            throw new InvalidDataException($"{source}: PhotoMaker weights do not fit this model ({Config.Adaptation}, rank {Config.LoraRank}): {string.Join("; ", problems)}");
        using var _ = no_grad();
        foreach (var (key, target) in own) target.copy_(weights[key]);
    }

    /// <summary>The frozen text encoder on token ids (B, L), without gradients.</summary>
    public TextEmbedding EncodeText(Tensor ids)
    {
        using var _ = no_grad();
        return Backbone.EncodeText(ids.to(Device));
    }

    /// <summary>
    /// t* for a batch: the prompts' embedding with each row's class-token copies replaced by that row's stacked-ID
    /// tokens (Stacked: one copy per reference image; Average: one copy, fused with the weighted mean image
    /// embedding). The pooled vector is the expanded prompt's, not modified (§1.3 step 4).
    /// </summary>
    public TextEmbedding Condition(ClassTokenBatch prompts, IReadOnlyList<ReferenceStack> references)
    {
        long b = prompts.Ids.shape[0];
        if (references.Count != b) throw new ArgumentException($"{references.Count} reference stacks for {b} prompts");
        for (int r = 0; r < b; r++)
        {
            int expected = Mode == IdEmbeddingMode.Stacked ? references[r].Count * TokensPerImage : 1;
            if (prompts.Copies[r] != expected)
                throw new ArgumentException($"row {r}: the prompt holds {prompts.Copies[r]} class-token copies, expected {expected} ({Mode}, {references[r].Count} reference images)");
        }
        var text = EncodeText(prompts.Ids);
        using var scope = NewDisposeScope();
        var images = cat(references.Select(s => s.Images.to(Device)).ToArray(), 0);              // (M, 3, H, W)
        var embeddings = IdEncoder.EmbedImages(images);                                          // (M, D)
        var counts = references.Select(s => s.Count).ToArray();
        var weights = references.All(s => s.IsUnweighted) ? null
            : tensor(references.SelectMany(s => s.Weights).Select(w => (float)w).ToArray()).to(Device); // (M)
        Tensor tokens = Mode == IdEmbeddingMode.Stacked
            ? IdEncoder.Stack(text.Tokens, prompts.ClassMask, embeddings, counts, weights)                            // (B, L, D)
            : IdEncoder.Stack(text.Tokens, prompts.ClassMask, StackedIdEncoder.AverageRows(embeddings, counts, weights), [.. Enumerable.Repeat(1, (int)b)]);
        var result = new TextEmbedding(tokens.MoveToOuterDisposeScope(), text.Pooled, text.PaddingMask);
        text.Tokens.Dispose();
        return result;
    }

    /// <summary>The adapted backbone's unmasked path on an encoded (possibly stacked-ID) prompt embedding.</summary>
    public Tensor Forward(Tensor x, Tensor t, TextEmbedding text) => Backbone.Forward(x, t, text);

    /// <summary>Training mode for the trained parts (the frozen backbone has no dropout or batch statistics).</summary>
    public void Train(bool on = true)
    {
        IdEncoder.train(on);
        Lora?.Train(on);
        Backbone.train(on);
    }

    public void Dispose()
    {
        Lora?.Dispose();
        IdEncoder.Dispose();
        Backbone.Dispose();
    }
}
