using DiffusionLab.IO;
using DiffusionLab.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation;

/// <summary>
/// Judges generated MNIST digits with the committed <see cref="MnistClassifier"/>: Fréchet distance in
/// its 128-d feature space against the 2,000-digit MNIST-10k test split, and the share of samples
/// classified as the label they were generated for. Knows nothing of the models it judges.
/// </summary>
public sealed class MnistEvaluator : IDisposable
{
    private const string WeightsResource = "DiffusionLab.Evaluation.mnist-classifier.safetensors";
    private const int BatchSize = 500;

    private readonly MnistClassifier _classifier;
    private readonly Device _device;
    private FeatureStatistics? _testStatistics;
    private double _testAccuracy;

    private MnistEvaluator(MnistClassifier classifier, Device device)
    {
        _classifier = classifier;
        _device = device;
        _classifier.to(device);
        _classifier.eval();
    }

    /// <summary>The evaluator with the weights embedded in the library (Evaluation/Resources/README.md).</summary>
    public static MnistEvaluator LoadDefault(Device? device = null)
    {
        using var resource = typeof(MnistEvaluator).Assembly.GetManifestResourceStream(WeightsResource)
            ?? throw new InvalidOperationException($"embedded resource '{WeightsResource}' is missing from the DiffusionLab assembly");
        using var bytes = new MemoryStream();
        resource.CopyTo(bytes);
        var classifier = new MnistClassifier();
        classifier.LoadWeights(SafetensorsFile.Load(bytes.ToArray(), $"resource {WeightsResource}", out _), $"resource {WeightsResource}");
        return new MnistEvaluator(classifier, device ?? torch.CPU);
    }

    public static MnistEvaluator Load(string weightsPath, Device? device = null)
    {
        var classifier = new MnistClassifier();
        classifier.LoadWeights(weightsPath);
        return new MnistEvaluator(classifier, device ?? torch.CPU);
    }

    public MnistClassifier Classifier => _classifier;

    /// <param name="generatedImages">(N,1,32,32) in [−1,1], N ≥ 2.</param>
    /// <param name="intendedLabels">(N) class indices the samples were conditioned on, or null.</param>
    public EvaluationResult Evaluate(Tensor generatedImages, Tensor? intendedLabels)
    {
        if (generatedImages.dim() != 4 || generatedImages.shape[1] != 1 || generatedImages.shape[2] != 32 || generatedImages.shape[3] != 32)
            throw new ArgumentException($"generatedImages: expected (N,1,32,32), got [{string.Join(", ", generatedImages.shape)}]");
        int n = (int)generatedImages.shape[0];
        if (intendedLabels is not null && (intendedLabels.dim() != 1 || intendedLabels.shape[0] != n))
            throw new ArgumentException($"intendedLabels: expected ({n}), got [{string.Join(", ", intendedLabels.shape)}]");
        var (features, predicted) = Run(generatedImages);
        using (features)
        using (predicted)
        {
            using var stats = FeatureStatistics.Of(features);
            double fd = FrechetDistance.Compute(stats, TestStatistics());
            double? accuracy = null;
            if (intendedLabels is not null)
            {
                using var labels = intendedLabels.detach().cpu().to(ScalarType.Int64);
                using var hits = predicted.eq(labels);
                using var count = hits.sum();
                accuracy = count.item<long>() / (double)n;
            }
            return new EvaluationResult(fd, accuracy, n);
        }
    }

    /// <summary>(N,1,32,32) in [−1,1] → (N,128) classifier features on the CPU.</summary>
    public Tensor Features(Tensor images)
    {
        var (features, predicted) = Run(images);
        predicted.Dispose();
        return features;
    }

    /// <summary>Top-1 accuracy of the classifier on the 2,000 test digits.</summary>
    public double TestAccuracy()
    {
        TestStatistics();
        return _testAccuracy;
    }

    /// <summary>Feature statistics of the test split, computed once per evaluator.</summary>
    public FeatureStatistics TestStatistics()
    {
        if (_testStatistics is null)
        {
            using var test = Mnist10k.Load(MnistSplit.Test);
            var (features, predicted) = Run(test.Images);
            using (features)
            using (predicted)
            using (var hits = predicted.eq(test.Labels))
            using (var count = hits.sum())
            {
                _testAccuracy = count.item<long>() / (double)test.Count;
                _testStatistics = FeatureStatistics.Of(features);
            }
        }
        return _testStatistics;
    }

    private (Tensor Features, Tensor Predicted) Run(Tensor images)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var features = new List<Tensor>();
        var predicted = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += BatchSize)
        {
            long n = Math.Min(BatchSize, images.shape[0] - start);
            var batch = images.narrow(0, start, n).to(ScalarType.Float32).to(_device);
            var f = _classifier.Features(batch);
            features.Add(f.cpu());
            predicted.Add(_classifier.Classify(f).argmax(1).cpu());
        }
        return (torch.cat(features).MoveToOuterDisposeScope(), torch.cat(predicted).MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        _testStatistics?.Dispose();
        _classifier.Dispose();
    }
}
