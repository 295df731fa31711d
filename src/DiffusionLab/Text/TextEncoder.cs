using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Text;

/// <summary>
/// A CLIP-style text transformer trained from scratch with the diffusion model: token embedding +
/// learned position embedding, Depth pre-LN layers with causal self-attention, final LayerNorm.
/// Causal as CLIP's text tower: a token sees only the tokens before it, so the N copies of the
/// PhotoMaker class token come out different (each sees a different number of earlier copies,
/// photomaker.md §1.3 step 4), the EOS token summarises the whole prompt (the pooled vector), and
/// pads, which follow EOS, never reach a real token. Keys: token_embedding.weight,
/// positional_embedding, layers.{i}.{ln_1,attn.qkv,attn.proj,ln_2,mlp.fc1,mlp.fc2}.*, ln_final.*.
/// </summary>
public sealed class TextEncoder : nn.Module<Tensor, TextEmbedding>
{
    private readonly Embedding token_embedding;
    private readonly Parameter positional_embedding;
    private readonly ModuleList<TextEncoderLayer> layers;
    private readonly LayerNorm ln_final;

    /// <summary>Builds the layers on <paramref name="device"/> and draws the initial weights from <paramref name="generator"/> (null: libtorch's global generator).</summary>
    public TextEncoder(TextEncoderConfig config, Device? device = null, Generator? generator = null) : base(nameof(TextEncoder))
    {
        var problems = config.Problems();
        if (problems.Count > 0) throw new ArgumentException($"text encoder config: {problems[0]}");
        Config = config;
        int d = config.Width;
        token_embedding = nn.Embedding(config.VocabSize, d, device: device);
        positional_embedding = new Parameter(empty(config.MaxLength, d, device: device));
        layers = new ModuleList<TextEncoderLayer>([.. Enumerable.Range(0, config.Depth)
            .Select(_ => new TextEncoderLayer(d, config.Heads, (int)(d * config.MlpRatio), device))]);
        ln_final = nn.LayerNorm(d, device: device);
        register_module(nameof(token_embedding), token_embedding);
        register_parameter(nameof(positional_embedding), positional_embedding);
        register_module(nameof(layers), layers);
        register_module(nameof(ln_final), ln_final);
        ResetParameters(generator);
    }

    public TextEncoderConfig Config { get; }

    /// <summary>Where the weights live; ids are moved here.</summary>
    public Device Device => positional_embedding.device;

    /// <summary>
    /// CLIP's initialize_parameters (OpenAI CLIP model.py): token embedding N(0, 0.02), position
    /// embedding N(0, 0.01), qkv N(0, D^-½), attention and MLP output projections N(0, D^-½·(2·Depth)^-½)
    /// so the residual stream does not grow with depth, MLP input N(0, (2D)^-½); biases 0, LayerNorms
    /// (1, 0). Values are drawn on the CPU, so a seeded generator gives the same weights on any device.
    /// </summary>
    public void ResetParameters(Generator? generator = null)
    {
        double d = Config.Width;
        double attnStd = Math.Pow(d, -0.5), projStd = attnStd * Math.Pow(2.0 * Config.Depth, -0.5), fcStd = Math.Pow(2 * d, -0.5);
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (p.device_type == DeviceType.META) continue;
            double? std = name switch
            {
                "token_embedding.weight" => 0.02,
                "positional_embedding" => 0.01,
                _ when name.EndsWith(".attn.qkv.weight") => attnStd,
                _ when name.EndsWith(".attn.proj.weight") || name.EndsWith(".mlp.fc2.weight") => projStd,
                _ when name.EndsWith(".mlp.fc1.weight") => fcStd,
                _ => null,
            };
            if (std is double s)
            {
                using var values = empty(p.shape, p.dtype).normal_(0.0, s, generator);
                p.copy_(values);
            }
            else if (name.EndsWith(".bias")) p.zero_();
            else if (name.EndsWith(".weight") && name.Split('.')[^2].StartsWith("ln_")) p.fill_(1.0);
            else throw new InvalidOperationException($"TextEncoder.ResetParameters: no rule for parameter '{name}'");
        }
    }

    /// <summary>
    /// ids (B, L) with L ≤ MaxLength, each row BOS … EOS then pads (<see cref="WordTokenizer.Encode(string, int)"/>).
    /// </summary>
    public override TextEmbedding forward(Tensor ids)
    {
        if (ids.dim() != 2 || ids.shape[1] > Config.MaxLength || ids.shape[1] < 2)
            throw new ArgumentException($"ids: expected shape (B, L) with 2 <= L <= MaxLength={Config.MaxLength}, got [{string.Join(", ", ids.shape)}]");
        using var scope = NewDisposeScope();
        ids = ids.to(Device).to(ScalarType.Int64);
        long b = ids.shape[0], l = ids.shape[1];
        var isEos = ids == WordTokenizer.EosId;                                        // (B, L)
        if (!isEos.any(1).all().item<bool>()) throw new ArgumentException("ids: every row needs an EOS token (the pooled output is read there)");
        var h = token_embedding.forward(ids) + positional_embedding.narrow(0, 0, l);   // (B, L, D)
        foreach (var layer in layers) h = layer.forward(h);                            // (B, L, D)
        h = ln_final.forward(h);                                                       // (B, L, D)
        var eos = isEos.to(ScalarType.Int64).argmax(1);                                // (B) first EOS
        var pooled = h.gather(1, eos.view(b, 1, 1).expand(b, 1, h.shape[2])).squeeze(1); // (B, D)
        var padding = ids != WordTokenizer.PadId;                                      // (B, L)
        return new TextEmbedding(h.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope(), padding.MoveToOuterDisposeScope());
    }

    /// <summary>Ids (B, MaxLength) of the empty prompt on this module's device (classifier-free guidance).</summary>
    public Tensor NullPromptIds(long batchSize) => NullPrompt.Ids(batchSize, Config.MaxLength, Device);
}
