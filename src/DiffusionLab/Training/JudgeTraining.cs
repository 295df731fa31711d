using DiffusionLab.Data.World;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// Trains the CharacterWorld judges with the one <see cref="Trainer"/> over a <see cref="JudgeObjective"/>: the initial
/// weights and every draw come from the options' seed. With a run folder the training checkpoints there and resumes;
/// a cancelled one checkpoints where it stopped.
/// </summary>
public static class JudgeTraining
{
    /// <summary>The identity margin ramps from 0 over this share of the steps.</summary>
    private const double MarginRamp = 0.1;

    /// <summary>
    /// <see cref="IdentityEmbedder"/> with CosFace (<see cref="CosineMarginLoss"/>): a classification loss over identity
    /// ids whose margin is subtracted from the cosine itself, so the embedding is trained for exactly what FaceSim and
    /// character similarity measure (cosine similarity), with no pair or triplet mining; every identity is seen in every
    /// epoch. An auxiliary loss (<see cref="TraitHeads"/>) asks the embedding to carry the identity's rendered traits as
    /// well; its heads are dropped after training.
    /// </summary>
    public static IdentityEmbedder Identity(CharacterWorld world, JudgeTrainingOptions? options = null, TextWriter? log = null,
        string? runDirectory = null, CancellationToken cancellation = default)
    {
        options ??= new JudgeTrainingOptions();
        var generator = new Generator((ulong)options.Seed);
        var model = new IdentityEmbedder();
        model.ResetParameters(generator);
        var identities = world.Identities(WorldSplit.Train);
        using var head = new CosineMarginLoss(identities.Count, IdentityEmbedder.EmbeddingSize);
        head.ResetParameters(generator);
        using var traitHeads = new TraitHeads(IdentityEmbedder.EmbeddingSize);
        traitHeads.ResetParameters(generator);
        int first = identities[0];
        var traits = identities.Select(world.Traits).ToArray();
        Run("identity", world, options, new Dictionary<string, nn.Module> { ["model"] = model, ["head"] = head, ["traits"] = traitHeads }, null,
            (images, jobs, progress) =>
            {
                head.CurrentMargin = head.Margin * Math.Min(1, progress / MarginRamp);
                var labels = torch.tensor(jobs.Select(j => (long)(j.Identity - first)).ToArray()); // (B)
                var embeddings = model.forward(images);                                            // (B, 128)
                return head.forward(embeddings, labels) + traitHeads.Loss(embeddings, jobs.Select(j => traits[j.Identity - first]).ToArray());
            }, generator, log, runDirectory, cancellation);
        return model;
    }

    /// <summary><see cref="FactorClassifier"/>: the sum of the five heads' cross-entropies on renders of the train identities.</summary>
    public static FactorClassifier Factors(CharacterWorld world, JudgeTrainingOptions? options = null, TextWriter? log = null,
        string? runDirectory = null, CancellationToken cancellation = default)
    {
        options ??= new JudgeTrainingOptions();
        var generator = new Generator((ulong)options.Seed);
        var model = new FactorClassifier();
        model.ResetParameters(generator);
        Run("factors", world, options, new Dictionary<string, nn.Module> { ["model"] = model }, null,
            (images, jobs, _) =>
            {
                var labels = FactorLabels.Of(world, jobs);
                var logits = FactorClassifier.Split(model.forward(images)); // name → (B, classes)
                return FactorClassifier.Factors.Select(f => nn.functional.cross_entropy(logits[f.Name], labels[f.Name])).Aggregate((a, b) => a + b);
            }, generator, log, runDirectory, cancellation);
        return model;
    }

    /// <summary>
    /// <see cref="StructureChecker"/> on renders of the train identities of which half keep their normal 2/1/1 face and
    /// half get random part counts (<see cref="StructureEdits"/>): the sum of the three heads' cross-entropies.
    /// </summary>
    public static StructureChecker Structure(CharacterWorld world, JudgeTrainingOptions? options = null, TextWriter? log = null,
        string? runDirectory = null, CancellationToken cancellation = default)
    {
        options ??= new JudgeTrainingOptions();
        var generator = new Generator((ulong)options.Seed);
        var model = new StructureChecker();
        model.ResetParameters(generator);
        Run("structure", world, options, new Dictionary<string, nn.Module> { ["model"] = model }, StructureEdits.Edit,
            (images, jobs, _) =>
            {
                var (eyes, noses, mouths) = StructureChecker.Split(model.forward(images)); // (B, 4) (B, 3) (B, 3)
                var counts = StructureEdits.Counts(jobs);                                  // (B, 3)
                return nn.functional.cross_entropy(eyes, counts[.., 0])
                     + nn.functional.cross_entropy(noses, counts[.., 1])
                     + nn.functional.cross_entropy(mouths, counts[.., 2]);
            }, generator, log, runDirectory, cancellation);
        return model;
    }

    private static void Run(string judge, CharacterWorld world, JudgeTrainingOptions options, Dictionary<string, nn.Module> modules,
        Func<RenderJob[], Generator, RenderJob[]>? editParts, Func<Tensor, RenderJob[], double, Tensor> loss, Generator generator,
        TextWriter? log, string? runDirectory, CancellationToken cancellation)
    {
        using (generator)
        using (var objective = new JudgeObjective(world, options, modules, editParts, loss))
        {
            var trainerOptions = objective.Options(judge);
            using var trainer = new Trainer(objective, trainerOptions, generator, runDirectory is null ? null : new RunFolder(runDirectory),
                new TrainingProgress(log ?? TextWriter.Null, interactive: false, trainerOptions.Steps, 0, trainerOptions.LogEvery));
            trainer.Train(cancellation: cancellation);
        }
        foreach (var m in modules.Values) m.eval();
    }
}
