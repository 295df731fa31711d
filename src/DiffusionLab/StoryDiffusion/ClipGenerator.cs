using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// The text-to-image MDT extended to L-frame clips (storydiffusion.md §4's video decoder, AnimateDiff-style): a
/// <see cref="TemporalAttention"/> after each block of the unmasked path (<c>temporal_layers</c>, in
/// <see cref="MaskedDiffusionTransformer.BlockNames"/> order), plugged in through the network's block-output hook, each
/// starting as the identity, so the image model is unchanged at the start. Frame i's cross-attention reads
/// concat(text tokens T, P_i): the predicted embedding's N tokens are mapped to the text width by <c>keyframe_proj</c>
/// (Linear E→D_text) and <c>keyframe_norm</c> (LayerNorm, the scale of the text encoder's normalised tokens) and
/// appended to the prompt's tokens; a clip whose keyframes are hidden attends to its text alone (guidance's
/// unconditional pass, the text-only mode). The backbone is registered as <c>backbone</c>.
/// </summary>
public sealed class ClipGenerator : nn.Module
{
    private readonly MaskedDiffusionTransformer backbone;
    private readonly ModuleList<TemporalAttention> temporal_layers;
    private readonly Linear keyframe_proj;
    private readonly LayerNorm keyframe_norm;
    private readonly Dictionary<string, int> _layerOf;

    public ClipGenerator(MaskedDiffusionTransformer backbone, int embeddingWidth) : base(nameof(ClipGenerator))
    {
        if (!backbone.Config.IsTextConditioned) throw new ArgumentException("a clip generator extends a text-to-image network; this backbone is class-conditional");
        var device = backbone.parameters().First().device;
        var c = backbone.Config;
        this.backbone = backbone;
        EmbeddingWidth = embeddingWidth;
        temporal_layers = new ModuleList<TemporalAttention>([.. backbone.BlockNames.Select(_ => new TemporalAttention(c.HiddenSize, c.NumHeads, device))]);
        keyframe_proj = nn.Linear(embeddingWidth, c.TextWidth, device: device);
        keyframe_norm = nn.LayerNorm(c.TextWidth, device: device);
        RegisterComponents();
        Init.XavierLinear(keyframe_proj);
        _layerOf = backbone.BlockNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
    }

    public MaskedDiffusionTransformer Backbone => backbone;

    /// <summary>E, the width of the keyframe embedding tokens it reads.</summary>
    public int EmbeddingWidth { get; }

    /// <summary>The new layers' parameters (temporal layers and keyframe projection) with their names in this module.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NewParameters() =>
        named_parameters().Where(p => !p.name.StartsWith("backbone.", StringComparison.Ordinal)).Select(p => (p.name, p.parameter));

    /// <summary>
    /// x_t (B·L, C, H, W) for B clips of <paramref name="frames"/> frames each (clip-major), original timesteps (B·L), the
    /// encoded prompt of each frame's row (B·L rows), and each frame's keyframe embedding <paramref name="keyframes"/>
    /// (B·L, N, E) with <paramref name="visible"/> (B·L) bool saying whose cross-attention may read it; null keyframes:
    /// text only. → (B·L, C_out, H, W).
    /// </summary>
    public Tensor Forward(Tensor x, Tensor t, TextEmbedding text, Tensor? keyframes, Tensor? visible, int frames)
    {
        if (x.shape[0] % frames != 0) throw new ArgumentException($"clip generator: {x.shape[0]} frames are not whole clips of {frames}");
        using var scope = NewDisposeScope();
        var context = keyframes is null ? text : WithKeyframes(text, keyframes, visible);   // tokens (B·L, L_t [+ N], D_text)
        return backbone.Forward(x, t, context, afterBlock: new Temporal(this, frames)).MoveToOuterDisposeScope(); // (B·L, C_out, H, W)
    }

    /// <summary>concat(T, P_i) along the tokens, with P_i's tokens masked out of the rows where <paramref name="visible"/> is false.</summary>
    private TextEmbedding WithKeyframes(TextEmbedding text, Tensor keyframes, Tensor? visible)
    {
        long rows = text.Tokens.shape[0], n = keyframes.shape[1];
        if (keyframes.dim() != 3 || keyframes.shape[0] != rows || keyframes.shape[2] != EmbeddingWidth)
            throw new ArgumentException($"keyframe embeddings: expected ({rows}, N, {EmbeddingWidth}), got [{string.Join(", ", keyframes.shape)}]");
        var tokens = keyframe_norm.forward(keyframe_proj.forward(keyframes.to(text.Tokens.dtype)));            // (B·L, N, D_text)
        var shown = (visible ?? ones(rows, dtype: ScalarType.Bool)).to(ScalarType.Bool).to(text.Tokens.device);  // (B·L)
        var mask = cat([text.PaddingMask, shown.view(-1, 1).expand(rows, n)], dim: 1);                         // (B·L, L_t + N)
        return new TextEmbedding(cat([text.Tokens, tokens], dim: 1), text.Pooled, mask);                      // (B·L, L_t + N, D_text)
    }

    private sealed class Temporal(ClipGenerator owner, int frames) : IBlockOutputProcessor
    {
        public Tensor After(string blockName, Tensor x) => owner.temporal_layers[owner._layerOf[blockName]].Forward(x, frames);
    }
}
