using DiffusionLab.Data;
using DiffusionLab.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Evaluation;

/// <summary>One evaluator (and its cached test-split features) shared by the tests of the class.</summary>
public sealed class MnistEvaluatorFixture : IDisposable
{
    public MnistEvaluator Evaluator { get; } = MnistEvaluator.LoadDefault();

    public void Dispose() => Evaluator.Dispose();
}

public class MnistEvaluatorTests : IClassFixture<MnistEvaluatorFixture>
{
    // Evaluation/Resources/README.md records the measured test accuracy; the bar sits a margin below it.
    private const double AccuracyBar = 0.97;

    private readonly MnistEvaluator _evaluator;

    public MnistEvaluatorTests(MnistEvaluatorFixture fixture) => _evaluator = fixture.Evaluator;

    [Fact]
    public void Committed_classifier_is_accurate_on_the_test_split()
    {
        double accuracy = _evaluator.TestAccuracy();
        Assert.True(accuracy >= AccuracyBar, $"test accuracy {accuracy:P2} < {AccuracyBar:P0}");
    }

    [Fact]
    public void Real_digits_are_much_closer_to_the_test_split_than_noise()
    {
        using var train = Mnist10k.Load(MnistSplit.Train);
        // Every fourth training digit: the split is sorted by class, so a prefix would hold only 0s and 1s.
        using var every4th = torch.arange(0, 8000, 4, ScalarType.Int64);
        using var images = train.Images.index_select(0, every4th);
        using var labels = train.Labels.index_select(0, every4th);
        var real = _evaluator.Evaluate(images, labels);
        using var noise = torch.rand(new long[] { 2000, 1, 32, 32 }, generator: new Generator(9)).mul(2).sub(1);
        var random = _evaluator.Evaluate(noise, null);

        Assert.Equal(2000, real.NumSamples);
        Assert.True(real.ClassAccuracy >= AccuracyBar, $"class accuracy on train digits {real.ClassAccuracy:P2}");
        Assert.Null(random.ClassAccuracy);
        Assert.True(real.FrechetDistance >= 0);
        Assert.True(random.FrechetDistance > 20 * real.FrechetDistance,
            $"FD(train, test) = {real.FrechetDistance:F3}, FD(noise, test) = {random.FrechetDistance:F3}");
    }

    [Fact]
    public void Wrong_labels_give_low_class_accuracy()
    {
        using var test = Mnist10k.Load(MnistSplit.Test);
        using var images = test.Images.narrow(0, 0, 400);
        using var shifted = (test.Labels.narrow(0, 0, 400) + 1) % 10;
        var result = _evaluator.Evaluate(images, shifted);
        Assert.True(result.ClassAccuracy < 0.1, $"class accuracy with wrong labels {result.ClassAccuracy:P2}");
    }

    [Fact]
    public void Wrong_image_shape_is_rejected()
    {
        using var rgb = torch.zeros(4, 3, 32, 32);
        var e = Assert.Throws<ArgumentException>(() => _evaluator.Evaluate(rgb, null));
        Assert.Contains("(N,1,32,32)", e.Message);
    }
}
