using DiffusionLab.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.DiT;

/// <summary>
/// DiT (Peebles and Xie, 2023; mdt.md §2): patch embedding + absolute position embedding, a stack
/// of adaLN-Zero blocks conditioned on t_emb + y_emb, final layer, unpatchify. State-dict keys are
/// the official ones: pos_embed, x_embedder.*, t_embedder.*, y_embedder.*, blocks.{i}.*, final_layer.*.
/// </summary>
public sealed class DiffusionTransformer : Denoiser
{
    private readonly Parameter pos_embed;
    private readonly PatchEmbed x_embedder;
    private readonly TimestepEmbedder t_embedder;
    private readonly LabelEmbedder y_embedder;
    private readonly ModuleList<TransformerBlock> blocks;
    private readonly FinalLayer final_layer;

    public DiffusionTransformer(DenoiserConfig config, Device? device = null) : base(nameof(DiffusionTransformer), config)
    {
        if (config.Architecture != Architecture.DiT) throw new ArgumentException($"Architecture={config.Architecture}: DiffusionTransformer builds DiT only");
        var d = config.HiddenSize;
        int? grid = config.RelativePositionBias ? config.GridSize : null;
        pos_embed = PositionEmbeddings.Create(config.PositionEmbedding, config, device);
        x_embedder = new PatchEmbed(config.PatchSize, config.InChannels, d, device);
        t_embedder = new TimestepEmbedder(d, device);
        y_embedder = new LabelEmbedder(config.NumClasses, d, device);
        blocks = new ModuleList<TransformerBlock>(Enumerable.Range(0, config.Depth)
            .Select(_ => new TransformerBlock(d, config.NumHeads, config.MlpRatio, grid, skip: false, device)).ToArray());
        final_layer = new FinalLayer(d, config.PatchSize, config.OutChannels, device);
        register_parameter(nameof(pos_embed), pos_embed);
        register_module(nameof(x_embedder), x_embedder);
        register_module(nameof(t_embedder), t_embedder);
        register_module(nameof(y_embedder), y_embedder);
        register_module(nameof(blocks), blocks);
        register_module(nameof(final_layer), final_layer);
    }

    /// <summary>PyTorch key order (matters only with the optional relative bias, whose index is a buffer).</summary>
    public override Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null) =>
        StateDictOrder.Apply(this, base.state_dict(null, null), destination, prefix);

    public override Tensor forward(Tensor x, Tensor t, Tensor y)
    {
        using var scope = NewDisposeScope();
        var h = x_embedder.forward(x);                                                    // (N, T, D)
        if (Config.PositionEmbedding != PositionEmbeddingKind.None) h = h + pos_embed;    // (N, T, D)
        var c = t_embedder.forward(t) + y_embedder.forward(y);                            // (N, D)
        foreach (var block in blocks) h = block.forward(h, c);                            // (N, T, D)
        var tokens = final_layer.forward(h, c);                                           // (N, T, p·p·C_out)
        return Patches.Unpatchify(tokens, Config.PatchSize, Config.OutChannels).MoveToOuterDisposeScope(); // (N, C_out, H, W)
    }
}
