using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation;

/// <summary>
/// Fréchet distance between Gaussians fitted to two feature sets (the FID formula, Heusel et al. 2017):
/// FD = |μ1−μ2|² + tr Σ1 + tr Σ2 − 2 tr (Σ1^½ Σ2 Σ1^½)^½, in float64.
/// </summary>
public static class FrechetDistance
{
    public static double Compute(Tensor featuresA, Tensor featuresB)
    {
        using var a = FeatureStatistics.Of(featuresA);
        using var b = FeatureStatistics.Of(featuresB);
        return Compute(a, b);
    }

    public static double Compute(FeatureStatistics a, FeatureStatistics b)
    {
        if (a.Mean.shape[0] != b.Mean.shape[0])
            throw new ArgumentException($"feature sizes differ: {a.Mean.shape[0]} and {b.Mean.shape[0]}");
        using var scope = torch.NewDisposeScope();
        var diff = a.Mean - b.Mean;
        var rootA = SymmetricSqrt(a.Covariance);
        // tr sqrt(Σ1^½ Σ2 Σ1^½) equals tr sqrt(Σ1 Σ2) but the product stays symmetric PSD, so eigh applies.
        var inner = rootA.matmul(b.Covariance).matmul(rootA);
        var traceRoot = EigenvaluesClamped(inner).sqrt().sum();
        var fd = diff.dot(diff) + a.Covariance.trace() + b.Covariance.trace() - 2 * traceRoot;
        return fd.item<double>();
    }

    private static Tensor SymmetricSqrt(Tensor m)
    {
        var (values, vectors) = torch.linalg.eigh((m + m.t()) / 2);
        return vectors.matmul(torch.diag(values.clamp_min(0).sqrt())).matmul(vectors.t());
    }

    // Rounding makes tiny eigenvalues of a PSD matrix slightly negative; they are zero.
    private static Tensor EigenvaluesClamped(Tensor m) => torch.linalg.eigvalsh((m + m.t()) / 2).clamp_min(0);
}
