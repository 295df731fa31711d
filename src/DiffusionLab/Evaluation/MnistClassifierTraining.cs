using System.Diagnostics;
using DiffusionLab.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation;

/// <summary>
/// Trains <see cref="MnistClassifier"/> with Adam, a cosine learning-rate decay to zero and
/// cross-entropy on CPU, deterministically: the initial weights, batch order and shift augmentation
/// all come from one seeded generator.
/// </summary>
public static class MnistClassifierTraining
{
    public static MnistClassifier Train(LabeledImages train, int seed, int epochs, int batchSize = 64,
        double learningRate = 1e-3, int maxShift = 2, Action<string>? log = null)
    {
        if (train.Channels != 1 || train.Size != 32 || train.NumClasses != MnistClassifier.NumClasses)
            throw new ArgumentException($"train: expected 1×32×32 images of 10 classes, got {train.Channels}×{train.Size}×{train.Size} of {train.NumClasses}");
        var generator = new Generator((ulong)seed);
        var model = new MnistClassifier();
        model.ResetParameters(generator);
        model.train();
        using var optimizer = torch.optim.Adam(model.parameters(), learningRate);
        using var sampler = new BatchSampler(train, batchSize, generator);
        int stepsPerEpoch = train.Count / batchSize;
        var schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs * stepsPerEpoch);
        var clock = Stopwatch.StartNew();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            double lossSum = 0;
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                using var scope = torch.NewDisposeScope();
                var (images, labels) = sampler.Next(torch.CPU);
                var loss = torch.nn.functional.cross_entropy(model.forward(RandomShift(images, maxShift, generator)), labels);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                schedule.step();
                lossSum += loss.item<float>();
            }
            log?.Invoke($"epoch {epoch + 1}/{epochs}: mean loss {lossSum / stepsPerEpoch:F4}, {clock.Elapsed.TotalSeconds:F0} s");
        }
        model.eval();
        return model;
    }

    /// <summary>Fraction of <paramref name="data"/> whose arg-max logit is its label.</summary>
    public static double Accuracy(MnistClassifier model, LabeledImages data, int batchSize = 500)
    {
        using var _ = torch.no_grad();
        long correct = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            int n = Math.Min(batchSize, data.Count - start);
            var predicted = model.forward(data.Images.narrow(0, start, n)).argmax(1);
            correct += predicted.eq(data.Labels.narrow(0, start, n)).sum().item<long>();
        }
        return (double)correct / data.Count;
    }

    // Shifts each digit by up to maxShift pixels, filling with background (−1): the 2-pixel border
    // makes this a translation, not a crop, and it buys robustness to off-centre generated digits.
    private static Tensor RandomShift(Tensor images, int maxShift, Generator generator)
    {
        if (maxShift == 0) return images;
        long n = images.shape[0], size = images.shape[2];
        var shifts = torch.randint(-maxShift, maxShift + 1, new long[] { n, 2 }, ScalarType.Int64, generator: generator); // (N,2)
        var padded = torch.nn.functional.pad(images, new long[] { maxShift, maxShift, maxShift, maxShift }, value: -1.0); // (N,1,S+2m,S+2m)
        var grid = torch.arange(size, ScalarType.Int64) + maxShift;                                                     // (S)
        var rows = (grid.unsqueeze(0) - shifts[.., 0..1]).view(n, 1, size, 1).expand(n, 1, size, padded.shape[3]);    // (N,1,S,S+2m)
        var cols = (grid.unsqueeze(0) - shifts[.., 1..2]).view(n, 1, 1, size).expand(n, 1, size, size);               // (N,1,S,S)
        return padded.gather(2, rows).gather(3, cols);                                                                 // (N,1,S,S)
    }
}
