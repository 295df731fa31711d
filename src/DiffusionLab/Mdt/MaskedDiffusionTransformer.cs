using DiffusionLab.Modules;
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
/// <see cref="ForwardMasked"/> the masked training branch.
/// </summary>
public sealed class MaskedDiffusionTransformer : Denoiser
{
    private readonly Parameter pos_embed;
    private readonly Parameter decoder_pos_embed;
    private readonly Parameter mask_token;
    private readonly PatchEmbed x_embedder;
    private readonly TimestepEmbedder t_embedder;
    private readonly LabelEmbedder y_embedder;
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
        TransformerBlock Block(bool skip) => new(d, config.NumHeads, config.MlpRatio, grid, skip, device);
        ModuleList<TransformerBlock> List(int count, bool skip) => new(Enumerable.Range(0, count).Select(_ => Block(skip)).ToArray());

        pos_embed = PositionEmbeddings.Create(config.PositionEmbedding, config, device);
        decoder_pos_embed = PositionEmbeddings.Create(DecoderPositionKind(config), config, device);
        mask_token = new Parameter(zeros(1, 1, d, device: device));
        using (no_grad()) nn.init.normal_(mask_token, 0.0, 0.02);
        x_embedder = new PatchEmbed(config.PatchSize, config.InChannels, d, device);
        t_embedder = new TimestepEmbedder(d, device);
        y_embedder = new LabelEmbedder(config.NumClasses, d, device);
        int half = (config.Depth - config.DecodeLayer) / 2;
        bool v2 = IsV2;
        blocks = List(v2 ? 0 : config.Depth, skip: false);
        en_inblocks = List(v2 ? half : 0, skip: false);
        en_outblocks = List(v2 ? half : 0, skip: true);
        de_blocks = List(v2 ? config.DecodeLayer : 0, skip: true);
        sideblocks = List(1, skip: false);
        final_layer = new FinalLayer(d, config.PatchSize, config.OutChannels, device);

        // PyTorch's state_dict order: own parameters first, then children in registration order.
        register_parameter(nameof(pos_embed), pos_embed);
        register_parameter(nameof(decoder_pos_embed), decoder_pos_embed);
        register_parameter(nameof(mask_token), mask_token);
        register_module(nameof(x_embedder), x_embedder);
        register_module(nameof(t_embedder), t_embedder);
        register_module(nameof(y_embedder), y_embedder);
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

    /// <summary>Unmasked path (mdt.md §3/§4): all tokens everywhere, no side-interpolator.</summary>
    public override Tensor forward(Tensor x, Tensor t, Tensor y)
    {
        using var scope = NewDisposeScope();
        var (h, c) = Embed(x, t, y);                                   // (N, T, D), (N, D)
        var inputSkip = h;                                             // (N, T, D) v2 dense shortcut
        h = Encode(h, c, null);                                        // (N, T, D)
        // v1 adds it before block Depth−DecodeLayer, which does not exist when DecodeLayer = 0.
        if (Config.DecoderPositionEmbedding && (IsV2 || Config.DecodeLayer > 0)) h = h + decoder_pos_embed;
        h = Decode(h, c, inputSkip);                                   // (N, T, D)
        return Head(h, c).MoveToOuterDisposeScope();                   // (N, C_out, H, W)
    }

    /// <summary>
    /// Masked path (mdt.md §3, §4) with an injected <paramref name="masking"/>: the encoder sees only
    /// the kept tokens, the side-interpolator fills the masked ones, the decoder sees all (and in v2
    /// still gets the full unmasked input embedding as its dense skip).
    /// </summary>
    public Tensor ForwardMasked(Tensor x, Tensor t, Tensor y, MaskingResult masking)
    {
        using var scope = NewDisposeScope();
        var (h, c) = Embed(x, t, y);                                   // (N, T, D), (N, D)
        var idsKeep = masking.IdsKeep.to(h.device);                    // (N, K)
        var visible = h.gather(1, idsKeep.unsqueeze(-1).expand(-1, -1, h.shape[2])); // (N, K, D)
        visible = Encode(visible, c, idsKeep);                         // (N, K, D)
        var full = SideInterpolate(visible, c, masking);               // (N, T, D)
        full = Decode(full, c, h);                                     // (N, T, D)
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

    private (Tensor H, Tensor C) Embed(Tensor x, Tensor t, Tensor y)
    {
        var h = x_embedder.forward(x);                                                   // (N, T, D)
        if (Config.PositionEmbedding != PositionEmbeddingKind.None) h = h + pos_embed;   // (N, T, D)
        var c = t_embedder.forward(t) + y_embedder.forward(y);                           // (N, D)
        return (h, c);
    }

    private Tensor Encode(Tensor h, Tensor c, Tensor? idsKeep)
    {
        if (!IsV2)
        {
            for (int i = 0; i < EncoderDepth; i++) h = blocks[i].forward(h, c, null, idsKeep);
            return h;
        }
        var skips = new Stack<Tensor>();
        foreach (var block in en_inblocks) skips.Push(h = block.forward(h, c, null, idsKeep));
        foreach (var block in en_outblocks) h = block.forward(h, c, skips.Pop(), idsKeep);
        return h;
    }

    private Tensor Decode(Tensor h, Tensor c, Tensor inputSkip)
    {
        if (!IsV2)
        {
            for (int i = EncoderDepth; i < Config.Depth; i++) h = blocks[i].forward(h, c);
            return h;
        }
        foreach (var block in de_blocks) h = block.forward(h, c, inputSkip, null);
        return h;
    }

    /// <summary>Side-interpolator (mdt.md §3): mask tokens in, unshuffle, decoder position, one full block, masked shortcut.</summary>
    private Tensor SideInterpolate(Tensor visible, Tensor c, MaskingResult masking)
    {
        long n = visible.shape[0], k = visible.shape[1], d = visible.shape[2];
        var restore = masking.IdsRestore.to(visible.device);                                 // (N, L)
        long l = restore.shape[1];
        var filled = cat([visible, mask_token.to(visible.dtype).expand(n, l - k, d)], dim: 1); // (N, L, D) shuffled
        var h = filled.gather(1, restore.unsqueeze(-1).expand(-1, -1, d));                  // (N, L, D) original order
        if (Config.DecoderPositionEmbedding) h = h + decoder_pos_embed;                     // (N, L, D)
        var interpolated = sideblocks[0].forward(h, c);                                     // (N, L, D)
        if (!Config.MaskedShortcut) return interpolated;
        var mask = masking.Mask.to(visible.dtype, visible.device).unsqueeze(-1);            // (N, L, 1) 1 = masked
        return interpolated * mask + h * (1 - mask);                                        // visible tokens keep h
    }

    private Tensor Head(Tensor h, Tensor c)
    {
        var tokens = final_layer.forward(h, c);                                  // (N, T, p·p·C_out)
        return Patches.Unpatchify(tokens, Config.PatchSize, Config.OutChannels); // (N, C_out, H, W)
    }

    /// <summary>Decoder embedding: off → frozen zeros (key kept, never added); follows the absolute kind otherwise (fixed ablation stays fixed).</summary>
    private static PositionEmbeddingKind DecoderPositionKind(DenoiserConfig config) =>
        !config.DecoderPositionEmbedding ? PositionEmbeddingKind.None
        : config.PositionEmbedding == PositionEmbeddingKind.FixedSinCos ? PositionEmbeddingKind.FixedSinCos
        : PositionEmbeddingKind.Learnable;
}
