using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// Judges a generated clip of CharacterWorld frames against the ground-truth clip with the committed judges: distance to
/// the true middle frames (LPIPS-style judge distance and PSNR), continuity with the first frame and between adjacent
/// frames in the factor judge's feature space (storydiffusion.md §5.2's CLIPSIM-first/-frames, whose CLIP and LPIPS
/// networks do not exist here), identity kept from the start keyframe, valid faces per frame, and pixel smoothness.
/// Knows nothing of the model that drew the clip.
/// </summary>
public static class ClipMetrics
{
    /// <summary><paramref name="clip"/> and <paramref name="truth"/>: (L, 3, S, S) in [−1, 1], L ≥ 2, of one size.</summary>
    public static ClipScores Of(CharacterWorldEvaluator judges, Tensor clip, Tensor truth)
    {
        ArgumentNullException.ThrowIfNull(judges);
        if (clip.dim() != 4 || clip.shape[0] < 2 || !clip.shape.SequenceEqual(truth.shape))
            throw new ArgumentException($"clip [{string.Join(", ", clip.shape)}] and truth [{string.Join(", ", truth.shape)}]: expected two (L, 3, S, S) clips of one shape, L >= 2");
        using var scope = NewDisposeScope();
        clip = clip.cpu().to(ScalarType.Float32);
        truth = truth.cpu().to(ScalarType.Float32);
        int l = (int)clip.shape[0], middle = l - 2;

        double distance = double.NaN, psnr = double.NaN;
        if (middle > 0)
        {
            var generated = clip.narrow(0, 1, middle);                                              // (M, 3, S, S)
            var real = truth.narrow(0, 1, middle);                                                  // (M, 3, S, S)
            var d = judges.PerceptualDistances(cat([generated, real], 0));                          // (2M, 2M)
            distance = Enumerable.Range(0, middle).Average(i => d[i, middle + i].item<double>());
            var mse = ((generated - real) / 2).square().flatten(1).mean([1L]).to(ScalarType.Float64); // (M) pixels in [0, 1]
            psnr = mse.data<double>().Average(m => 10 * Math.Log10(1 / Math.Max(m, 1e-10)));
        }
        var features = nn.functional.normalize(judges.Features(clip).to(ScalarType.Float64), dim: 1);   // (L, 256)
        var first = features.narrow(0, 1, l - 1).matmul(features[0]);                                 // (L−1)
        var adjacent = (features.narrow(0, 0, l - 1) * features.narrow(0, 1, l - 1)).sum(1);         // (L−1)
        var ids = judges.IdentityEmbeddings(cat([truth.narrow(0, 0, 1), clip], 0)).to(ScalarType.Float64); // (1+L, 128) unit
        var identity = ids.narrow(0, 1, l).matmul(ids[0]);                                             // (L)
        using var counts = judges.PartCounts(clip);
        var valid = StructureChecker.IsValid(counts).data<bool>().ToArray();
        var change = ((clip.narrow(0, 1, l - 1) - clip.narrow(0, 0, l - 1)) / 2).square().flatten(1).mean([1L]).sqrt(); // (L−1)
        return new ClipScores(distance, psnr, first.mean().item<double>(), adjacent.mean().item<double>(), identity.mean().item<double>(), valid,
            change.mean().to(ScalarType.Float64).item<double>());
    }
}
