using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Runs;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// Contrastive pre-training of the ID encoder's image path (vision model and projection) on the training people,
/// before the diffusion stage. PhotoMaker starts its encoder from CLIP ViT-L/14 (photomaker.md §1.1), whose features
/// already tell faces apart; ours starts from random weights, and the diffusion loss alone left it at chance on
/// held-out people (<see cref="IdEncoderProbe"/>: rank-1 1.5 % against 1 % after 2,000 steps). This stands in for
/// CLIP's pre-training with what CharacterWorld has: two different images of one person are a positive pair, the
/// other people of the batch negatives (InfoNCE, both directions, as CLIP's loss with images on both sides). The
/// images are prepared as the stage's references are (background noised when <see cref="PhotoMakerConfig.NoiseBackground"/>),
/// so the encoder learns the person and not the scene. The evaluator networks are not involved. It is an objective
/// of the one <see cref="Trainer"/> (AdamW without weight decay), run into a run folder of its own, so it resumes.
/// </summary>
public static class IdEncoderPretraining
{
    /// <summary>
    /// Runs <see cref="PhotoMakerConfig.EncoderPretrainSteps"/> steps of <see cref="PhotoMakerConfig.EncoderPretrainPeople"/>
    /// people each, drawing people and image pairs from <paramref name="generator"/>, logging (step, loss, in-batch pair
    /// accuracy) every LogEvery steps; with <paramref name="runDirectory"/> it checkpoints there (every CheckpointEvery
    /// steps and at the end) and resumes from it, a finished run only loading its result.
    /// </summary>
    public static void Run(StackedIdEncoder encoder, CharacterWorldDataset people, PhotoMakerConfig config, Generator generator,
        string? runDirectory = null, TrainingProgress? progress = null)
    {
        int batch = config.EncoderPretrainPeople;
        if (people.IdentityCount < batch) throw new ArgumentException($"encoder pre-training: {batch} people per batch, but the training split has {people.IdentityCount}");
        if (people.ImagesPerIdentity < 2) throw new ArgumentException("encoder pre-training: needs at least 2 images per person");
        using var objective = new Objective(encoder, people, config);
        var options = new TrainerOptions
        {
            Stage = Core.TrainingStage.IdEncoderPretraining,
            Steps = config.EncoderPretrainSteps,
            LogEvery = config.LogEvery,
            CheckpointEvery = config.CheckpointEvery,
            Optimizer = new OptimizerSection { Name = OptimizerKind.AdamW, GradClip = null },
            ConfigJson = config.ToJson(),
        };
        using var trainer = new Trainer(objective, options, generator, runDirectory is null ? null : new RunFolder(runDirectory),
            progress ?? new TrainingProgress(TextWriter.Null, interactive: false, options.Steps, 0, options.LogEvery));
        trainer.Train();
        encoder.eval();
    }

    private sealed class Objective(StackedIdEncoder encoder, CharacterWorldDataset people, PhotoMakerConfig config) : ITrainingObjective
    {
        private readonly Device _device = encoder.parameters().First().device;

        public IReadOnlyList<ParameterGroup> ParameterGroups { get; } = [ParameterGroup.All(encoder.NamedImageParameters(), config.EncoderPretrainLearningRate)];

        public ObjectiveOutput Compute(Generator generator)
        {
            int batch = config.EncoderPretrainPeople;
            var chosen = randperm(people.IdentityCount, generator: generator).narrow(0, 0, batch).data<long>().ToArray();
            var first = new List<CharacterImage>(batch);
            var second = new List<CharacterImage>(batch);
            foreach (long p in chosen)
            {
                int identity = people.FirstIdentity + (int)p;
                var pair = randperm(people.ImagesPerIdentity, generator: generator).narrow(0, 0, 2).data<long>().ToArray();
                first.Add(people.Get(people.IndexOf(identity, (int)pair[0])));
                second.Add(people.Get(people.IndexOf(identity, (int)pair[1])));
            }
            var a = Prepare(first, generator).to(_device);                                          // (P, 3, H, W)
            var b = Prepare(second, generator).to(_device);                                         // (P, 3, H, W)
            var za = nn.functional.normalize(encoder.EmbedImages(a), dim: 1);                        // (P, D)
            var zb = nn.functional.normalize(encoder.EmbedImages(b), dim: 1);                        // (P, D)
            var logits = za.matmul(zb.T) / config.EncoderPretrainTemperature;                       // (P, P)
            var target = arange(batch, device: _device);
            var loss = (nn.functional.cross_entropy(logits, target) + nn.functional.cross_entropy(logits.T, target)) / 2;
            var accuracy = logits.argmax(1).eq(target).to(ScalarType.Float32).mean();
            return new ObjectiveOutput(loss, new Dictionary<string, Tensor> { ["loss"] = loss, ["pair_accuracy"] = accuracy });
        }

        private Tensor Prepare(List<CharacterImage> images, Generator generator)
        {
            var pixels = CharacterImage.Stack(images);                                              // (P, 3, H, W)
            if (!config.NoiseBackground) return pixels;
            var masks = stack(images.Select(i => i.MaskTensor()).ToArray());                      // (P, 1, H, W)
            return ReferenceMasking.FillOutsideMask(pixels, masks, generator);
        }

        public void SetTraining(bool training) => encoder.train(training);

        public string DataState => "{}";

        public void RestoreDataState(string state) { }

        public IReadOnlyDictionary<string, Tensor> CheckpointWeights() => NamedWeights.Of(ParameterGroups[0].Parameters);

        public void LoadCheckpointWeights(IReadOnlyDictionary<string, Tensor> weights, string source) => NamedWeights.Load(ParameterGroups[0].Parameters, weights, source);

        public void Dispose() { }
    }
}
