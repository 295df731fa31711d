using DiffusionLab.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Diffusion;

/// <summary>Classifier-free guidance training: each condition becomes the null condition with probability p, no more, no less.</summary>
public class LabelDropoutTests
{
    private const long NullClass = 10;

    /// <summary>Asserts the dropped fraction is p within 5 binomial standard deviations (exactly 0 at p = 0).</summary>
    internal static void AssertRate(double p, long dropped, long total)
    {
        double fraction = (double)dropped / total;
        if (p == 0) Assert.Equal(0, dropped);
        double tolerance = 5 * Math.Sqrt(p * (1 - p) / total);
        Assert.True(Math.Abs(fraction - p) <= tolerance, $"dropped {fraction:F4} of {total}, expected {p} ± {tolerance:F4}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void ClassLabelsAreDroppedAtTheGivenRate(double p)
    {
        using var scope = torch.NewDisposeScope();
        const long n = 100_000;
        var labels = torch.arange(n, dtype: ScalarType.Int64) % NullClass;
        var dropped = TrainingDraws.DropConditions(labels, p, torch.tensor(NullClass), new Generator(3));
        var isNull = dropped.eq(NullClass);
        AssertRate(p, isNull.sum().item<long>(), n);
        Assert.True(dropped.masked_select(isNull.logical_not()).equal(labels.masked_select(isNull.logical_not())).all().item<bool>(),
            "a label that was not dropped changed");
    }

    [Fact]
    public void TokenRowsAreDroppedWholeAtTheGivenRate()
    {
        using var scope = torch.NewDisposeScope();
        const long n = 20_000;
        var ids = torch.randint(1, 50, [n, 3], dtype: ScalarType.Int64, generator: new Generator(4));
        var empty = torch.tensor(new long[] { 0, 0, 0 });
        var dropped = TrainingDraws.DropConditions(ids, 0.3, empty, new Generator(5));
        var rowIsEmpty = dropped.eq(0).all(1);
        Assert.True(dropped.eq(0).any(1).equal(rowIsEmpty).all().item<bool>(), "a row was dropped only in part");
        AssertRate(0.3, rowIsEmpty.sum().item<long>(), n);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void TheDenoisingObjectiveShowsTheNetworkNullLabelsAtTheConfiguredRate(double p)
    {
        using var scope = torch.NewDisposeScope();
        const long n = 20_000;
        Tensor? seen = null;
        var objective = new DenoisingObjective(new GaussianDiffusion(BetaSchedule.Linear(1000), learnSigma: false),
            (x, t, y) => { seen = y; return torch.zeros_like(x); }, LossWeighting.None, p, torch.tensor(NullClass));
        objective.Compute(torch.zeros(n, 1, 1, 1), torch.arange(n, dtype: ScalarType.Int64) % NullClass, new Generator(6));
        Assert.NotNull(seen);
        AssertRate(p, seen.eq(NullClass).sum().item<long>(), n);
    }
}
