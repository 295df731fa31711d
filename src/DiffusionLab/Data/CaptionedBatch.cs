using static TorchSharp.torch;

namespace DiffusionLab.Data;

/// <summary>
/// A batch of captioned images, the shape every ID-centric dataset hands to training: images
/// (N,3,H,W) float32 in [−1,1], person masks (N,1,H,W) float32 0/1, captions with the class word's
/// span (null where a caption has none), identity ids (N) int64, and per-factor labels (N) int64
/// keyed by factor name (empty where the data has none). Owns its tensors.
/// </summary>
public sealed class CaptionedBatch : IDisposable
{
    public CaptionedBatch(Tensor images, Tensor masks, IReadOnlyList<string> captions, IReadOnlyList<CaptionSpan?> classWordSpans,
        Tensor identityIds, IReadOnlyDictionary<string, Tensor> factorLabels)
    {
        if (images.dim() != 4 || images.shape[1] != 3 || images.dtype != ScalarType.Float32)
            throw new ArgumentException($"images: expected float32 (N,3,H,W), got {images.dtype} [{string.Join(", ", images.shape)}]");
        long n = images.shape[0];
        if (masks.dim() != 4 || masks.shape[0] != n || masks.shape[1] != 1 || masks.shape[2] != images.shape[2] || masks.shape[3] != images.shape[3])
            throw new ArgumentException($"masks: expected ({n},1,{images.shape[2]},{images.shape[3]}), got [{string.Join(", ", masks.shape)}]");
        if (captions.Count != n || classWordSpans.Count != n)
            throw new ArgumentException($"captions/classWordSpans: expected {n} each, got {captions.Count} and {classWordSpans.Count}");
        if (identityIds.dim() != 1 || identityIds.shape[0] != n || identityIds.dtype != ScalarType.Int64)
            throw new ArgumentException($"identityIds: expected int64 ({n}), got {identityIds.dtype} [{string.Join(", ", identityIds.shape)}]");
        foreach (var (name, labels) in factorLabels)
            if (labels.dim() != 1 || labels.shape[0] != n || labels.dtype != ScalarType.Int64)
                throw new ArgumentException($"factor labels '{name}': expected int64 ({n}), got {labels.dtype} [{string.Join(", ", labels.shape)}]");
        Images = images;
        Masks = masks;
        Captions = captions;
        ClassWordSpans = classWordSpans;
        IdentityIds = identityIds;
        FactorLabels = factorLabels;
    }

    public Tensor Images { get; }
    public Tensor Masks { get; }
    public IReadOnlyList<string> Captions { get; }
    public IReadOnlyList<CaptionSpan?> ClassWordSpans { get; }
    public Tensor IdentityIds { get; }
    public IReadOnlyDictionary<string, Tensor> FactorLabels { get; }

    public int Count => Captions.Count;

    public void Dispose()
    {
        Images.Dispose();
        Masks.Dispose();
        IdentityIds.Dispose();
        foreach (var labels in FactorLabels.Values) labels.Dispose();
    }
}
