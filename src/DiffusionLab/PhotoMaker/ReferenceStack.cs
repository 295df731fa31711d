using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// The reference images of one prompt: (N, 3, H, W) in [−1, 1] and one coefficient per image. Identity mixing
/// (photomaker.md §3.3) is built with <see cref="Mix"/>: (a) pooling several people's images into one stack (the
/// ratio is the share of images), (b) per-identity coefficients that multiply the stacked-ID tokens of that
/// identity's images ("we multiply the embedding corresponding to the images related to a specific ID by a
/// coefficient"; the tokens in the prompt embedding, as prompt weighting does). Owns a copy of the images.
/// </summary>
public sealed class ReferenceStack : IDisposable
{
    public ReferenceStack(Tensor images, IReadOnlyList<double>? weights = null)
    {
        if (images.dim() == 3) images = images.unsqueeze(0);
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"reference images: expected (N, 3, H, W), got [{string.Join(", ", images.shape)}]");
        if (images.shape[0] == 0) throw new ArgumentException("no reference images: PhotoMaker needs at least one image of the person");
        if (weights is not null && weights.Count != images.shape[0])
            throw new ArgumentException($"reference weights: {weights.Count} for {images.shape[0]} images");
        if (weights?.FirstOrDefault(w => !double.IsFinite(w)) is double bad && !double.IsFinite(bad))
            throw new ArgumentException($"reference weights: {bad} is not a finite number");
        Images = images.detach().to(ScalarType.Float32).clone().DetachFromDisposeScope();
        Weights = Array.AsReadOnly(weights?.ToArray() ?? Enumerable.Repeat(1.0, (int)images.shape[0]).ToArray());
    }

    /// <summary>(N, 3, H, W) in [−1, 1].</summary>
    public Tensor Images { get; }

    /// <summary>One coefficient per image (1 = plain PhotoMaker).</summary>
    public IReadOnlyList<double> Weights { get; }

    public int Count => (int)Images.shape[0];

    public bool IsUnweighted => Weights.All(w => w == 1.0);

    /// <summary>Pools several identities' images into one stack, each identity's images carrying its coefficient.</summary>
    public static ReferenceStack Mix(params (Tensor Images, double Weight)[] identities)
    {
        if (identities.Length == 0) throw new ArgumentException("no reference images: PhotoMaker needs at least one image of the person");
        using var scope = NewDisposeScope();
        var all = cat(identities.Select(i => i.Images.dim() == 3 ? i.Images.unsqueeze(0) : i.Images).ToArray(), 0);
        var weights = identities.SelectMany(i => Enumerable.Repeat(i.Weight, (int)(i.Images.dim() == 3 ? 1 : i.Images.shape[0]))).ToArray();
        return new ReferenceStack(all, weights);
    }

    public void Dispose() => Images.Dispose();
}
