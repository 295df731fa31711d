using DiffusionLab.Diffusion;
using DiffusionLab.Data.World;
using DiffusionLab.Runs;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// Pre-training of the <see cref="SemanticEncoder"/>, standing in for CLIP's (storydiffusion.md §4 uses OpenCLIP ViT-H/14,
/// which does not exist here). A transition must interpolate who, where and how a person stands, so the embedding must
/// keep pose and expression as well as the person and the scene: PhotoMaker's identity pre-training (two images of one
/// person are a positive pair) teaches exactly the opposite, invariance to pose and expression. Here the objective is
/// time-contrastive (Sermanet et al. 2018, TCN): from each training clip (<see cref="KeyframePairs"/>, motion 0.3–1) an
/// anchor frame, its neighbour as the positive and the farther keyframe as a hard negative; the other clips' frames are
/// negatives too (other people, other scenes). InfoNCE both ways (anchor → [positives; negatives] and back), on the unit
/// mean-token embedding. An objective of the one <see cref="Trainer"/> (AdamW, no weight decay) in a run folder of its own.
/// </summary>
public static class SemanticEncoderPretraining
{
    /// <summary>
    /// Runs <see cref="MotionConfig.EncoderPretrainSteps"/> steps of <see cref="MotionConfig.EncoderPretrainClips"/> clips of
    /// the world's training people, logging (step, loss, pair accuracy); with <paramref name="runDirectory"/> it checkpoints
    /// there and resumes from it. The encoder is left frozen, in evaluation mode.
    /// </summary>
    public static void Run(SemanticEncoder encoder, CharacterWorld world, MotionConfig config, Generator generator, string? runDirectory = null, TrainingProgress? progress = null)
    {
        if (world.Config.TrainIdentities < 2) throw new ArgumentException("semantic encoder pre-training: needs at least 2 training people");
        using var objective = new Objective(encoder, world, config);
        var options = new TrainerOptions
        {
            Stage = Core.TrainingStage.SemanticEncoderPretraining,
            Steps = config.EncoderPretrainSteps,
            LogEvery = Math.Min(config.LogEvery, Math.Max(1, config.EncoderPretrainSteps)),
            CheckpointEvery = config.CheckpointEvery,
            Optimizer = new OptimizerSection { Name = OptimizerKind.AdamW, GradClip = null },
            ConfigJson = config.ToJson(),
        };
        foreach (var p in encoder.parameters()) p.requires_grad = true;
        try
        {
            using var trainer = new Trainer(objective, options, generator, runDirectory is null ? null : new RunFolder(runDirectory),
                progress ?? new TrainingProgress(TextWriter.Null, interactive: false, options.Steps, 0, options.LogEvery));
            trainer.Train();
        }
        finally
        {
            foreach (var p in encoder.parameters()) p.requires_grad = false;
            encoder.eval();
        }
    }

    private sealed class Objective(SemanticEncoder encoder, CharacterWorld world, MotionConfig config) : ITrainingObjective
    {
        private readonly Device _device = encoder.parameters().First().device;

        public IReadOnlyList<ParameterGroup> ParameterGroups { get; } =
            [ParameterGroup.All(encoder.named_parameters().Select(p => (p.name, p.parameter)), config.EncoderPretrainLearningRate)];

        public ObjectiveOutput Compute(Generator generator)
        {
            int clips = config.EncoderPretrainClips, frames = config.Frames;
            var anchors = new List<Tensor>(clips);
            var positives = new List<Tensor>(clips);
            var negatives = new List<Tensor>(clips);
            var draws = rand([clips, 4], generator: generator, dtype: ScalarType.Float64).data<double>().ToArray();
            for (int k = 0; k < clips; k++)
            {
                int identity = Math.Min((int)(draws[4 * k] * world.Config.TrainIdentities), world.Config.TrainIdentities - 1);
                int image = Math.Min((int)(draws[4 * k + 1] * world.Config.ImagesPerIdentity), world.Config.ImagesPerIdentity - 1);
                var clip = KeyframePairs.Render(world, KeyframePairs.Of(world, identity, image, 0.3 + 0.7 * draws[4 * k + 2]), frames);
                int anchor = Math.Min((int)(draws[4 * k + 3] * (frames - 1)), frames - 2);
                anchors.Add(clip[anchor].ToTensor());
                positives.Add(clip[anchor + 1].ToTensor());
                negatives.Add(clip[anchor < frames / 2 ? frames - 1 : 0].ToTensor());
            }
            var images = cat([stack(anchors), stack(positives), stack(negatives)], 0).to(_device);         // (3P, 3, S, S)
            var z = encoder.ContrastiveEmbedding(encoder.Encode(images));                                   // (3P, W)
            var (za, zb, zc) = (z.narrow(0, 0, clips), z.narrow(0, clips, clips), z.narrow(0, 2 * clips, clips)); // (P, W) each
            var target = arange(clips, device: _device);
            var forward = za.matmul(cat([zb, zc], 0).T) / config.EncoderPretrainTemperature;               // (P, 2P)
            var backward = zb.matmul(cat([za, zc], 0).T) / config.EncoderPretrainTemperature;              // (P, 2P)
            var loss = (nn.functional.cross_entropy(forward, target) + nn.functional.cross_entropy(backward, target)) / 2;
            var accuracy = forward.argmax(1).eq(target).to(ScalarType.Float32).mean();
            return new ObjectiveOutput(loss, new Dictionary<string, Tensor> { ["loss"] = loss, ["pair_accuracy"] = accuracy });
        }

        public void SetTraining(bool training) => encoder.train(training);

        public string DataState => "{}";

        public void RestoreDataState(string state) { }

        public IReadOnlyDictionary<string, Tensor> CheckpointWeights() => NamedWeights.Of(ParameterGroups[0].Parameters);

        public void LoadCheckpointWeights(IReadOnlyDictionary<string, Tensor> weights, string source) => NamedWeights.Load(ParameterGroups[0].Parameters, weights, source);

        public void Dispose() { }
    }
}
