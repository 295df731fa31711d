using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation;

/// <summary>Mean (D) and unbiased covariance (D,D), float64, of a feature set (N,D): what FD compares.</summary>
public sealed class FeatureStatistics : IDisposable
{
    private FeatureStatistics(Tensor mean, Tensor covariance, int count)
    {
        Mean = mean;
        Covariance = covariance;
        Count = count;
    }

    public Tensor Mean { get; }
    public Tensor Covariance { get; }
    public int Count { get; }

    public static FeatureStatistics Of(Tensor features)
    {
        if (features.dim() != 2 || features.shape[0] < 2)
            throw new ArgumentException($"features: expected (N,D) with N >= 2, got [{string.Join(", ", features.shape)}]");
        using var scope = torch.NewDisposeScope();
        var f = features.detach().cpu().to(ScalarType.Float64);
        var mean = f.mean(new long[] { 0 });
        var centered = f - mean;
        // N−1 as numpy.cov, which pytorch-fid and the ADM evaluator use.
        var cov = centered.t().matmul(centered) / (f.shape[0] - 1);
        return new FeatureStatistics(mean.DetachFromDisposeScope(), cov.DetachFromDisposeScope(), (int)f.shape[0]);
    }

    public void Dispose()
    {
        Mean.Dispose();
        Covariance.Dispose();
    }
}
