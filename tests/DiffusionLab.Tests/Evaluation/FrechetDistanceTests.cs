using DiffusionLab.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Evaluation;

public class FrechetDistanceTests
{
    [Fact]
    public void Distance_of_a_set_to_itself_is_zero()
    {
        using var features = torch.randn(500, 16, generator: new Generator(1)).exp();
        Assert.Equal(0.0, FrechetDistance.Compute(features, features), 6);
    }

    [Fact]
    public void Matches_the_closed_form_for_commuting_covariances()
    {
        // Diagonal Σ: tr sqrt(Σ1^½ Σ2 Σ1^½) = Σ sqrt(s1·s2), so FD = |μ1−μ2|² + Σ (√s1 − √s2)².
        var mu1 = new[] { 0.0, 1.0, -2.0 }; var s1 = new[] { 1.0, 4.0, 0.25 };
        var mu2 = new[] { 1.0, 1.0, 0.0 }; var s2 = new[] { 9.0, 1.0, 0.25 };
        using var a = ExactSample(mu1, Diagonal(s1), 1);
        using var b = ExactSample(mu2, Diagonal(s2), 2);
        double expected = mu1.Zip(mu2, (x, y) => (x - y) * (x - y)).Sum()
            + s1.Zip(s2, (x, y) => (Math.Sqrt(x) - Math.Sqrt(y)) * (Math.Sqrt(x) - Math.Sqrt(y))).Sum();
        Assert.Equal(expected, FrechetDistance.Compute(a, b), 8);
    }

    [Fact]
    public void Matches_the_closed_form_for_general_2x2_covariances()
    {
        // For 2×2 PSD M, tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)); here tr M = tr Σ1Σ2, det M = det Σ1 det Σ2.
        double[,] c1 = { { 2.0, 0.8 }, { 0.8, 1.0 } }, c2 = { { 0.5, -0.3 }, { -0.3, 3.0 } };
        var mu1 = new[] { 0.5, -1.0 }; var mu2 = new[] { -0.5, 2.0 };
        using var a = ExactSample(mu1, c1, 3);
        using var b = ExactSample(mu2, c2, 4);
        double trProduct = c1[0, 0] * c2[0, 0] + c1[0, 1] * c2[1, 0] + c1[1, 0] * c2[0, 1] + c1[1, 1] * c2[1, 1];
        double det1 = c1[0, 0] * c1[1, 1] - c1[0, 1] * c1[1, 0], det2 = c2[0, 0] * c2[1, 1] - c2[0, 1] * c2[1, 0];
        double trRoot = Math.Sqrt(trProduct + 2 * Math.Sqrt(det1 * det2));
        double expected = 1.0 + 9.0 + (c1[0, 0] + c1[1, 1]) + (c2[0, 0] + c2[1, 1]) - 2 * trRoot;
        Assert.Equal(expected, FrechetDistance.Compute(a, b), 8);
    }

    [Fact]
    public void Rank_deficient_covariances_are_handled()
    {
        // 3 samples in 8 dimensions: singular Σ, whose tiny negative eigenvalues must clamp to 0.
        using var a = torch.randn(3, 8, generator: new Generator(5));
        using var b = torch.randn(3, 8, generator: new Generator(6));
        double fd = FrechetDistance.Compute(a, b);
        Assert.True(double.IsFinite(fd) && fd >= 0, $"fd = {fd}");
    }

    private static double[,] Diagonal(double[] s)
    {
        var m = new double[s.Length, s.Length];
        for (int i = 0; i < s.Length; i++) m[i, i] = s[i];
        return m;
    }

    /// <summary>Samples whose sample mean and (N−1) covariance are exactly μ and Σ, so FD has no sampling error.</summary>
    private static Tensor ExactSample(double[] mean, double[,] covariance, int seed, int n = 400)
    {
        int d = mean.Length;
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(new long[] { n, d }, ScalarType.Float64, generator: new Generator((ulong)seed));
        z = z - z.mean(new long[] { 0 });
        var sampleCov = z.t().matmul(z) / (n - 1);
        var whitened = torch.linalg.solve_triangular(torch.linalg.cholesky(sampleCov), z.t(), upper: false).t(); // cov I
        var cov = torch.tensor(covariance.Cast<double>().ToArray(), new long[] { d, d });
        var x = whitened.matmul(torch.linalg.cholesky(cov).t()) + torch.tensor(mean);
        return x.MoveToOuterDisposeScope();
    }
}
