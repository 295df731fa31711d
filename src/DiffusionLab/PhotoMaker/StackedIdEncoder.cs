using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// PhotoMaker's stacked-ID encoder (<c>PhotoMakerIDEncoder</c>, photomaker.md §1.1–§1.3): each reference image goes
/// through the <c>vision_model</c> (<see cref="ReferenceImageEncoder"/>) and <c>visual_projection</c> (Linear
/// Width→D without bias) to an image embedding e_i in the text width D; copy i of a prompt's class token is then
/// replaced by <c>fuse_module</c>(t[pos_i], e_i) (<see cref="FuseModule"/>), as the official masked_scatter does, but
/// with the image rows checked and paired per sample, so a batch may mix different numbers of references per row
/// (the official global <c>class_tokens_mask.sum()</c> cannot, §1.2).
/// </summary>
public sealed class StackedIdEncoder : nn.Module
{
    private readonly ReferenceImageEncoder vision_model;
    private readonly Linear visual_projection;
    private readonly FuseModule fuse_module;

    /// <summary>An encoder for a text width of <paramref name="textWidth"/>, its weights drawn from <paramref name="generator"/> (null: libtorch's global one).</summary>
    public StackedIdEncoder(ImageEncoderConfig image, int textWidth, Device? device = null, Generator? generator = null) : base(nameof(StackedIdEncoder))
    {
        if (textWidth < 1) throw new ArgumentOutOfRangeException(nameof(textWidth), textWidth, "text width: expected a positive integer");
        ImageConfig = image;
        TextWidth = textWidth;
        vision_model = new ReferenceImageEncoder(image, device);
        visual_projection = nn.Linear(image.Width, textWidth, hasBias: false, device: device);
        fuse_module = new FuseModule(textWidth, device);
        register_module(nameof(vision_model), vision_model);
        register_module(nameof(visual_projection), visual_projection);
        register_module(nameof(fuse_module), fuse_module);
        ResetParameters(generator);
    }

    public ImageEncoderConfig ImageConfig { get; }

    /// <summary>D, the text-embedding width the stacked-ID tokens live in.</summary>
    public int TextWidth { get; }

    public FuseModule Fuse => fuse_module;

    /// <summary>
    /// PyTorch's default Linear/Conv weight init U(±1/√fan_in) for every matrix, zero biases, LayerNorms (1, 0),
    /// CLIP's N(0, Width^-½) class embedding and N(0, 0.02) position embedding, all drawn on the CPU from
    /// <paramref name="generator"/> in parameter order so a seed gives the same encoder on any device.
    /// </summary>
    public void ResetParameters(Generator? generator = null)
    {
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("class_embedding", StringComparison.Ordinal)) Fill(p, t => t.normal_(0, Math.Pow(ImageConfig.Width, -0.5), generator));
            else if (name.EndsWith("position_embedding", StringComparison.Ordinal)) Fill(p, t => t.normal_(0, 0.02, generator));
            else if (p.dim() >= 2)
            {
                double bound = 1.0 / Math.Sqrt(p.shape.Skip(1).Aggregate(1L, (a, b) => a * b));
                Fill(p, t => t.uniform_(-bound, bound, generator));
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else if (name.EndsWith(".weight", StringComparison.Ordinal)) p.fill_(1.0); // the LayerNorms
            else throw new InvalidOperationException($"StackedIdEncoder.ResetParameters: no rule for parameter '{name}'");
        }
    }

    /// <summary>The image path's parameters (vision model and projection), without the fuse module.</summary>
    public IEnumerable<Parameter> ImageParameters() => NamedImageParameters().Select(p => p.Parameter);

    /// <summary>The image path's parameters (vision model and projection) with their state-dict names.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedImageParameters() =>
        named_parameters().Where(p => p.name.StartsWith("vision_model.", StringComparison.Ordinal) || p.name.StartsWith("visual_projection.", StringComparison.Ordinal))
            .Select(p => (p.name, p.parameter));

    /// <summary>Reference images (M, 3, H, W) in [−1, 1] → image embeddings e (M, D).</summary>
    public Tensor EmbedImages(Tensor images)
    {
        using var scope = NewDisposeScope();
        var pooled = vision_model.forward(images.to(visual_projection.weight!.device)); // (M, Width)
        return visual_projection.forward(pooled).MoveToOuterDisposeScope();           // (M, D)
    }

    /// <summary>
    /// The text tokens (B, L, D) with the class-token copies marked in <paramref name="classMask"/> (B, L) replaced by
    /// fused stacked-ID tokens: row b's copies, in sequence order, pair with the next <paramref name="countsPerRow"/>[b]
    /// rows of <paramref name="idEmbeddings"/> (M, D), rows in batch order. <paramref name="tokenScales"/> (M), when
    /// given, multiplies each fused token (per-identity weighting, photomaker.md §3.3). Row b must mark exactly
    /// countsPerRow[b] positions: a mismatch would pair images with the wrong copies, so it is an error.
    /// </summary>
    public Tensor Stack(Tensor tokens, Tensor classMask, Tensor idEmbeddings, IReadOnlyList<int> countsPerRow, Tensor? tokenScales = null)
    {
        long b = tokens.shape[0], l = tokens.shape[1], d = tokens.shape[2];
        if (d != TextWidth) throw new ArgumentException($"tokens: width {d}, expected the encoder's text width {TextWidth}");
        if (classMask.dim() != 2 || classMask.shape[0] != b || classMask.shape[1] != l)
            throw new ArgumentException($"classMask: expected ({b}, {l}), got [{string.Join(", ", classMask.shape)}]");
        if (countsPerRow.Count != b) throw new ArgumentException($"countsPerRow: {countsPerRow.Count} counts for {b} rows");
        long total = countsPerRow.Sum(c => (long)c);
        if (idEmbeddings.dim() != 2 || idEmbeddings.shape[0] != total || idEmbeddings.shape[1] != d)
            throw new ArgumentException($"idEmbeddings: expected ({total}, {d}) for rows of {string.Join("/", countsPerRow)} images, got [{string.Join(", ", idEmbeddings.shape)}]");
        if (tokenScales is not null && (tokenScales.dim() != 1 || tokenScales.shape[0] != total))
            throw new ArgumentException($"tokenScales: expected ({total}), got [{string.Join(", ", tokenScales.shape)}]");
        using var scope = NewDisposeScope();
        var mask = classMask.to(ScalarType.Bool).to(tokens.device);                                // (B, L)
        var marked = mask.sum(1).cpu().data<long>().ToArray();
        for (int r = 0; r < b; r++)
            if (marked[r] != countsPerRow[r])
                throw new ArgumentException($"row {r}: {marked[r]} class-token copies marked but {countsPerRow[r]} images given; encode the prompt with one copy per image");
        var mask3 = mask.unsqueeze(-1);                                                            // (B, L, 1)
        var classTokens = tokens.masked_select(mask3).view(total, d);                              // (M, D) row-major = (row, copy) order
        var fused = fuse_module.forward(classTokens, idEmbeddings.to(tokens.device));              // (M, D)
        if (tokenScales is not null) fused = fused * tokenScales.to(fused.dtype).to(fused.device).unsqueeze(1); // (M, D)
        return tokens.masked_scatter(mask3, fused.to(tokens.dtype)).MoveToOuterDisposeScope();     // (B, L, D)
    }

    /// <summary>
    /// The "average" variant (photomaker.md §1.3, Tab. 2a): each row's image embeddings (M, D), grouped by
    /// <paramref name="countsPerRow"/>, averaged into one (B, D), weighted by <paramref name="weights"/> (M) when given.
    /// </summary>
    public static Tensor AverageRows(Tensor idEmbeddings, IReadOnlyList<int> countsPerRow, Tensor? weights = null)
    {
        using var scope = NewDisposeScope();
        var rows = new List<Tensor>();
        long start = 0;
        foreach (int count in countsPerRow)
        {
            if (count < 1) throw new ArgumentException("every row needs at least one image to average");
            var group = idEmbeddings.narrow(0, start, count);                                       // (n, D)
            if (weights is null) rows.Add(group.mean([0L]));
            else
            {
                var w = weights.narrow(0, start, count).to(group.dtype).to(group.device);           // (n)
                rows.Add((group * w.unsqueeze(1)).sum(0) / w.sum());                               // (D)
            }
            start += count;
        }
        return stack(rows).MoveToOuterDisposeScope();                                               // (B, D)
    }

    private static void Fill(Parameter p, Func<Tensor, Tensor> draw)
    {
        using var values = empty(p.shape, p.dtype);
        draw(values);
        p.copy_(values);
    }
}
