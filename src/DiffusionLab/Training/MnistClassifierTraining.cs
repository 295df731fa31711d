using System.Text.Json;
using DiffusionLab.Data;
using DiffusionLab.Diffusion;
using DiffusionLab.Evaluation;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// Trains <see cref="MnistClassifier"/> with the one <see cref="Trainer"/>: Adam (AdamW without decay), a cosine
/// learning-rate decay to zero and cross-entropy on CPU, deterministically: the initial weights, batch order and shift
/// augmentation all come from one seeded generator.
/// </summary>
public static class MnistClassifierTraining
{
    public static MnistClassifier Train(LabeledImages train, int seed, int epochs, int batchSize = 64,
        double learningRate = 1e-3, int maxShift = 2, TextWriter? log = null, string? runDirectory = null)
    {
        if (train.Channels != 1 || train.Size != 32 || train.NumClasses != MnistClassifier.NumClasses)
            throw new ArgumentException($"train: expected 1×32×32 images of 10 classes, got {train.Channels}×{train.Size}×{train.Size} of {train.NumClasses}");
        using var generator = new Generator((ulong)seed);
        var model = new MnistClassifier();
        model.ResetParameters(generator);
        int stepsPerEpoch = train.Count / batchSize;
        long steps = (long)epochs * stepsPerEpoch;
        using (var objective = new Objective(model, train, batchSize, maxShift, learningRate, generator))
        {
            var options = new TrainerOptions
            {
                Stage = Core.TrainingStage.MnistClassifier,
                Steps = steps,
                LogEvery = stepsPerEpoch,
                Optimizer = new OptimizerSection { Name = OptimizerKind.AdamW, GradClip = null },
                Schedule = LearningRateSchedule.WarmupCosine(0, steps),
                ConfigJson = JsonSerializer.Serialize(new { seed, epochs, batchSize, learningRate, maxShift }),
            };
            using var trainer = new Trainer(objective, options, generator, runDirectory is null ? null : new RunFolder(runDirectory),
                new TrainingProgress(log ?? TextWriter.Null, interactive: false, steps, 0, stepsPerEpoch));
            trainer.Train();
        }
        model.eval();
        return model;
    }

    private sealed class Objective(MnistClassifier model, LabeledImages train, int batchSize, int maxShift, double learningRate, Generator generator) : ITrainingObjective
    {
        private readonly BatchSampler _batches = new(train, batchSize, generator);

        public IReadOnlyList<ParameterGroup> ParameterGroups { get; } = [ParameterGroup.All(model.named_parameters().Select(p => (p.name, p.parameter)), learningRate)];

        public ObjectiveOutput Compute(Generator g)
        {
            var (images, labels) = _batches.Next(CPU);
            var loss = nn.functional.cross_entropy(model.forward(RandomShift(images, maxShift, g)), labels);
            return new ObjectiveOutput(loss, new Dictionary<string, Tensor> { ["loss"] = loss });
        }

        public void SetTraining(bool training) => model.train(training);

        public string DataState => JsonSerializer.Serialize(_batches.State);

        public void RestoreDataState(string state) => _batches.Restore(JsonSerializer.Deserialize<BatchSamplerState>(state));

        public IReadOnlyDictionary<string, Tensor> CheckpointWeights() => model.state_dict();

        public void LoadCheckpointWeights(IReadOnlyDictionary<string, Tensor> weights, string source) => IO.StateDictLoader.LoadStrict(model, weights, source);

        public void Dispose() => _batches.Dispose();
    }

    // Shifts each digit by up to maxShift pixels, filling with background (−1): the 2-pixel border
    // makes this a translation, not a crop, and it buys robustness to off-centre generated digits.
    private static Tensor RandomShift(Tensor images, int maxShift, Generator generator)
    {
        if (maxShift == 0) return images;
        long n = images.shape[0], size = images.shape[2];
        var shifts = torch.randint(-maxShift, maxShift + 1, new long[] { n, 2 }, ScalarType.Int64, generator: generator); // (N, 2)
        var padded = torch.nn.functional.pad(images, new long[] { maxShift, maxShift, maxShift, maxShift }, value: -1.0); // (N, 1, S+2m, S+2m)
        var grid = torch.arange(size, ScalarType.Int64) + maxShift;                                                     // (S)
        var rows = (grid.unsqueeze(0) - shifts[.., 0..1]).view(n, 1, size, 1).expand(n, 1, size, padded.shape[3]);    // (N, 1, S, S+2m)
        var cols = (grid.unsqueeze(0) - shifts[.., 1..2]).view(n, 1, 1, size).expand(n, 1, size, size);               // (N, 1, S, S)
        return padded.gather(2, rows).gather(3, cols);                                                                 // (N, 1, S, S)
    }
}
