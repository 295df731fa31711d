using DiffusionLab.Modules;
using DiffusionLab.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Mdt;

/// <summary>
/// Masked Diffusion Transformer (arXiv 2303.14389; mdt.md §3, §4). v1 (<see cref="Architecture.Mdt"/>):
/// <c>blocks</c> = encoder + last DecodeLayer decoder blocks, one side-interpolator block in
/// <c>sideblocks</c>. v2 (<see cref="Architecture.MdtV2"/>): U-ViT long skips between
/// <c>en_inblocks</c> and <c>en_outblocks</c>, and a dense input skip into every <c>de_blocks</c> block.
/// <see cref="forward"/> is the unmasked path (inference, full training branch);
/// <c>ForwardMasked</c> the masked training branch.
/// Text-conditioned (<see cref="DenoiserConfig.TextVocabSize"/> &gt; 0): y is token ids (N, L); a
/// <c>text_encoder</c> trained with the network encodes them, every block cross-attends to the tokens, and
/// adaLN sees t_emb + <c>pooled_embedder</c>(pooled text) in place of <c>y_embedder</c>. The self-attention of
/// any unmasked-path block can be replaced per call through <see cref="SelfAttentionHooks"/>, and each block's output
/// transformed per call through an <see cref="IBlockOutputProcessor"/> (layers inserted between the blocks).
/// </summary>
public sealed class MaskedDiffusionTransformer : Denoiser
{
    private readonly Parameter pos_embed;
    private readonly Parameter decoder_pos_embed;
    private readonly Parameter mask_token;
    private readonly PatchEmbed x_embedder;
    private readonly TimestepEmbedder t_embedder;
    private readonly LabelEmbedder? y_embedder;               // class-conditional
    private readonly TextEncoder? text_encoder;               // text-conditional
    private readonly Sequential? pooled_embedder;             // text-conditional: pooled text → D
    private readonly ModuleList<TransformerBlock> blocks;       // v1 only: encoder then decoder
    private readonly ModuleList<TransformerBlock> en_inblocks;  // v2
    private readonly ModuleList<TransformerBlock> en_outblocks; // v2, skip from en_inblocks (LIFO)
    private readonly ModuleList<TransformerBlock> de_blocks;    // v2, dense input skip
    private readonly ModuleList<TransformerBlock> sideblocks;
    private readonly FinalLayer final_layer;

    public MaskedDiffusionTransformer(DenoiserConfig config, Device? device = null) : base(nameof(MaskedDiffusionTransformer), config)
    {
        if (!config.IsMasked) throw new ArgumentException($"Architecture={config.Architecture}: MaskedDiffusionTransformer builds Mdt or MdtV2");
        int d = config.HiddenSize;
        int? grid = config.RelativePositionBias ? config.GridSize : null;
        int? contextDim = config.IsTextConditioned ? config.TextWidth : null;
        TransformerBlock Block(bool skip) => new(d, config.NumHeads, config.MlpRatio, grid, skip, device, contextDim);
        ModuleList<TransformerBlock> List(int count, bool skip) => new(Enumerable.Range(0, count).Select(_ => Block(skip)).ToArray());

        pos_embed = PositionEmbeddings.Create(config.PositionEmbedding, config, device);
        decoder_pos_embed = PositionEmbeddings.Create(DecoderPositionKind(config), config, device);
        mask_token = new Parameter(zeros(1, 1, d, device: device));
        using (no_grad()) nn.init.normal_(mask_token, 0.0, 0.02);
        x_embedder = new PatchEmbed(config.PatchSize, config.InChannels, d, device);
        t_embedder = new TimestepEmbedder(d, device);
        if (config.IsTextConditioned)
        {
            text_encoder = new TextEncoder(TextEncoderConfigOf(config), device);
            pooled_embedder = nn.Sequential(nn.Linear(config.TextWidth, d, device: device), nn.SiLU(), nn.Linear(d, d, device: device));
        }
        else y_embedder = new LabelEmbedder(config.NumClasses, d, device);
        int half = (config.Depth - config.DecodeLayer) / 2;
        bool v2 = IsV2;
        blocks = List(v2 ? 0 : config.Depth, skip: false);
        en_inblocks = List(v2 ? half : 0, skip: false);
        en_outblocks = List(v2 ? half : 0, skip: true);
        de_blocks = List(v2 ? config.DecodeLayer : 0, skip: true);
        sideblocks = List(1, skip: false);
        BlockNames = v2
            ? [.. Names(nameof(en_inblocks), half), .. Names(nameof(en_outblocks), half), .. Names(nameof(de_blocks), config.DecodeLayer)]
            : [.. Names(nameof(blocks), config.Depth)];
        final_layer = new FinalLayer(d, config.PatchSize, config.OutChannels, device);

        // PyTorch's state_dict order: own parameters first, then children in registration order.
        register_parameter(nameof(pos_embed), pos_embed);
        register_parameter(nameof(decoder_pos_embed), decoder_pos_embed);
        register_parameter(nameof(mask_token), mask_token);
        register_module(nameof(x_embedder), x_embedder);
        register_module(nameof(t_embedder), t_embedder);
        if (text_encoder is not null)
        {
            register_module(nameof(text_encoder), text_encoder);
            register_module(nameof(pooled_embedder), pooled_embedder!);
        }
        else register_module(nameof(y_embedder), y_embedder!);
        if (v2)
        {
            register_module(nameof(en_inblocks), en_inblocks);
            register_module(nameof(en_outblocks), en_outblocks);
            register_module(nameof(de_blocks), de_blocks);
        }
        else register_module(nameof(blocks), blocks);
        register_module(nameof(sideblocks), sideblocks);
        register_module(nameof(final_layer), final_layer);
    }

    /// <summary>
    /// PyTorch's order (each module's parameters, then its persistent buffers, then its children), so
    /// <c>relative_position_index</c> sits next to its table as in official checkpoints; TorchSharp's
    /// default lists every buffer after all parameters.
    /// </summary>
    public override Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null) =>
        StateDictOrder.Apply(this, base.state_dict(null, null), destination, prefix);

    public bool IsV2 => Config.Architecture == Architecture.MdtV2;

    /// <summary>Blocks that see only the kept tokens in the masked path (v1: Depth − DecodeLayer).</summary>
    public int EncoderDepth => IsV2 ? 2 * ((Config.Depth - Config.DecodeLayer) / 2) : Config.Depth - Config.DecodeLayer;

    /// <summary>The blocks of the unmasked path in forward order, by state-dict prefix ("de_blocks.0"): what <see cref="SelfAttentionHooks"/> name.</summary>
    public IReadOnlyList<string> BlockNames { get; }

    /// <summary>The blocks that see all tokens after the encoder (v2 de_blocks, v1 the last DecodeLayer blocks).</summary>
    public IReadOnlyList<string> DecoderBlockNames => BlockNames.Skip(EncoderDepth).ToList();

    /// <summary>Class index of the null class, or the (L) ids of the empty prompt for a text-conditioned network.</summary>
    public override Tensor NullCondition() =>
        Config.IsTextConditioned ? NullPrompt.Encode(Config.TextMaxLength).ToTensor().view(-1) : base.NullCondition();

    /// <summary>Encodes token ids (N, L) with the network's own text encoder (text-conditioned networks only).</summary>
    public TextEmbedding EncodeText(Tensor ids) =>
        (text_encoder ?? throw new InvalidOperationException("this network is class-conditional: it has no text encoder")).call(ids);

    /// <summary>Unmasked path (mdt.md §3/§4): all tokens everywhere, no side-interpolator. y: labels (N) or token ids (N, L).</summary>
    public override Tensor forward(Tensor x, Tensor t, Tensor y) => Forward(x, t, y, null);

    /// <summary>The unmasked path with the self-attention of some blocks replaced for this call.</summary>
    public Tensor Forward(Tensor x, Tensor t, Tensor y, SelfAttentionHooks? hooks)
    {
        if (!Config.IsTextConditioned) return Run(x, t, y_embedder!.forward(y), null, hooks);
        using var text = EncodeText(y);
        return Forward(x, t, text, hooks);
    }

    /// <summary>
    /// The unmasked path on an already encoded (and possibly edited: PhotoMaker's stacked ID tokens, prompt
    /// weights) text embedding; <paramref name="afterBlock"/> transforms each block's output (null: nothing between blocks).
    /// </summary>
    public Tensor Forward(Tensor x, Tensor t, TextEmbedding text, SelfAttentionHooks? hooks = null, IBlockOutputProcessor? afterBlock = null)
    {
        using var scope = NewDisposeScope();
        var (c, context) = TextCondition(text);                          // (N, D), tokens (N, L, D_text)
        return Run(x, t, c, context, hooks, afterBlock).MoveToOuterDisposeScope();
    }

    private Tensor Run(Tensor x, Tensor t, Tensor conditionVector, CrossAttentionContext? text, SelfAttentionHooks? hooks, IBlockOutputProcessor? afterBlock = null)
    {
        hooks?.CheckAgainst(BlockNames.ToHashSet());
        using var scope = NewDisposeScope();
        var (h, c) = Embed(x, t, conditionVector);                     // (N, T, D), (N, D)
        var inputSkip = h;                                             // (N, T, D) v2 dense shortcut
        h = Encode(h, c, null, text, hooks, afterBlock);               // (N, T, D)
        // v1 adds it before block Depth−DecodeLayer, which does not exist when DecodeLayer = 0.
        if (Config.DecoderPositionEmbedding && (IsV2 || Config.DecodeLayer > 0)) h = h + decoder_pos_embed;
        h = Decode(h, c, inputSkip, text, hooks, afterBlock);          // (N, T, D)
        return Head(h, c).MoveToOuterDisposeScope();                   // (N, C_out, H, W)
    }

    /// <summary>
    /// Masked path (mdt.md §3, §4) with an injected <paramref name="masking"/>: the encoder sees only
    /// the kept tokens, the side-interpolator fills the masked ones, the decoder sees all (and in v2
    /// still gets the full unmasked input embedding as its dense skip). y: labels (N) or token ids (N, L).
    /// </summary>
    public Tensor ForwardMasked(Tensor x, Tensor t, Tensor y, MaskingResult masking)
    {
        if (!Config.IsTextConditioned) return RunMasked(x, t, y_embedder!.forward(y), null, masking);
        using var text = EncodeText(y);
        return ForwardMasked(x, t, text, masking);
    }

    /// <summary>The masked path on an encoded text embedding.</summary>
    public Tensor ForwardMasked(Tensor x, Tensor t, TextEmbedding text, MaskingResult masking)
    {
        using var scope = NewDisposeScope();
        var (c, context) = TextCondition(text);
        return RunMasked(x, t, c, context, masking).MoveToOuterDisposeScope();
    }

    private Tensor RunMasked(Tensor x, Tensor t, Tensor conditionVector, CrossAttentionContext? text, MaskingResult masking)
    {
        using var scope = NewDisposeScope();
        var (h, c) = Embed(x, t, conditionVector);                     // (N, T, D), (N, D)
        var idsKeep = masking.IdsKeep.to(h.device);                    // (N, K)
        var visible = h.gather(1, idsKeep.unsqueeze(-1).expand(-1, -1, h.shape[2])); // (N, K, D)
        visible = Encode(visible, c, idsKeep, text, null);             // (N, K, D)
        var full = SideInterpolate(visible, c, masking, text);         // (N, T, D)
        full = Decode(full, c, h, text, null);                         // (N, T, D)
        return Head(full, c).MoveToOuterDisposeScope();                // (N, C_out, H, W)
    }

    /// <summary>One masking ratio per forward: v1 the fixed MaskRatio; v2 U[MaskRatio, MaskRatioMax) (official: 0.3 + 0.2·U).</summary>
    public double DrawMaskRatio(torch.Generator? generator)
    {
        if (!IsV2) return Config.MaskRatio;
        using var u = rand(new long[] { 1 }, generator: generator, device: generator?.device ?? CPU);
        return Config.MaskRatio + (Config.MaskRatioMax - Config.MaskRatio) * u.item<float>();
    }

    /// <summary>Draws a ratio (<see cref="DrawMaskRatio"/>) and a random masking for a batch on <paramref name="device"/>.</summary>
    public MaskingResult DrawMasking(long batch, Device device, torch.Generator? generator) =>
        RandomMasking.Draw(batch, Config.NumTokens, DrawMaskRatio(generator), device, generator);

    /// <summary>The adaLN vector's text part and the cross-attention context of an encoded prompt.</summary>
    private (Tensor C, CrossAttentionContext Context) TextCondition(TextEmbedding text)
    {
        if (pooled_embedder is null) throw new InvalidOperationException("this network is class-conditional: pass labels, not a text embedding");
        return (pooled_embedder.forward(text.Pooled), new CrossAttentionContext(text.Tokens, text.PaddingMask)); // (N, D)
    }

    private (Tensor H, Tensor C) Embed(Tensor x, Tensor t, Tensor conditionVector)
    {
        var h = x_embedder.forward(x);                                                   // (N, T, D)
        if (Config.PositionEmbedding != PositionEmbeddingKind.None) h = h + pos_embed;   // (N, T, D)
        var c = t_embedder.forward(t) + conditionVector;                                 // (N, D)
        return (h, c);
    }

    private Tensor Encode(Tensor h, Tensor c, Tensor? idsKeep, CrossAttentionContext? text, SelfAttentionHooks? hooks, IBlockOutputProcessor? afterBlock = null)
    {
        int i = 0;
        Tensor Apply(TransformerBlock block, Tensor x, Tensor? skip)
        {
            string name = BlockNames[i++];
            var y = block.forward(x, c, skip, idsKeep, text, hooks?.For(name), name);
            return afterBlock is null ? y : afterBlock.After(name, y);
        }
        if (!IsV2)
        {
            for (int j = 0; j < EncoderDepth; j++) h = Apply(blocks[j], h, null);
            return h;
        }
        var skips = new Stack<Tensor>();
        foreach (var block in en_inblocks) skips.Push(h = Apply(block, h, null));
        foreach (var block in en_outblocks) h = Apply(block, h, skips.Pop());
        return h;
    }

    private Tensor Decode(Tensor h, Tensor c, Tensor inputSkip, CrossAttentionContext? text, SelfAttentionHooks? hooks, IBlockOutputProcessor? afterBlock = null)
    {
        int i = EncoderDepth;
        Tensor Apply(TransformerBlock block, Tensor x, Tensor? skip)
        {
            string name = BlockNames[i++];
            var y = block.forward(x, c, skip, null, text, hooks?.For(name), name);
            return afterBlock is null ? y : afterBlock.After(name, y);
        }
        if (!IsV2)
        {
            for (int j = EncoderDepth; j < Config.Depth; j++) h = Apply(blocks[j], h, null);
            return h;
        }
        foreach (var block in de_blocks) h = Apply(block, h, inputSkip);
        return h;
    }

    /// <summary>Side-interpolator (mdt.md §3): mask tokens in, unshuffle, decoder position, one full block, masked shortcut.</summary>
    private Tensor SideInterpolate(Tensor visible, Tensor c, MaskingResult masking, CrossAttentionContext? text)
    {
        long n = visible.shape[0], k = visible.shape[1], d = visible.shape[2];
        var restore = masking.IdsRestore.to(visible.device);                                 // (N, L)
        long l = restore.shape[1];
        var filled = cat([visible, mask_token.to(visible.dtype).expand(n, l - k, d)], dim: 1); // (N, L, D) shuffled
        var h = filled.gather(1, restore.unsqueeze(-1).expand(-1, -1, d));                  // (N, L, D) original order
        if (Config.DecoderPositionEmbedding) h = h + decoder_pos_embed;                     // (N, L, D)
        var interpolated = sideblocks[0].forward(h, c, null, null, text, null, "sideblocks.0"); // (N, L, D)
        if (!Config.MaskedShortcut) return interpolated;
        var mask = masking.Mask.to(visible.dtype, visible.device).unsqueeze(-1);            // (N, L, 1) 1 = masked
        return interpolated * mask + h * (1 - mask);                                        // visible tokens keep h
    }

    private Tensor Head(Tensor h, Tensor c)
    {
        var tokens = final_layer.forward(h, c);                                  // (N, T, p·p·C_out)
        return Patches.Unpatchify(tokens, Config.PatchSize, Config.OutChannels); // (N, C_out, H, W)
    }

    private static IEnumerable<string> Names(string list, int count) => Enumerable.Range(0, count).Select(i => $"{list}.{i}");

    private static TextEncoderConfig TextEncoderConfigOf(DenoiserConfig c) => new()
    {
        VocabSize = c.TextVocabSize, MaxLength = c.TextMaxLength, Width = c.TextWidth, Depth = c.TextDepth, Heads = c.TextHeads,
    };

    /// <summary>Decoder embedding: off → frozen zeros (key kept, never added); follows the absolute kind otherwise (fixed ablation stays fixed).</summary>
    private static PositionEmbeddingKind DecoderPositionKind(DenoiserConfig config) =>
        !config.DecoderPositionEmbedding ? PositionEmbeddingKind.None
        : config.PositionEmbedding == PositionEmbeddingKind.FixedSinCos ? PositionEmbeddingKind.FixedSinCos
        : PositionEmbeddingKind.Learnable;
}
