using DiffusionLab.Data.World;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// Trains <see cref="IdentityEmbedder"/> on the train identities with CosFace
/// (<see cref="CosineMarginLoss"/>): a classification loss over identity ids whose margin is
/// subtracted from the cosine itself, so the embedding is trained for exactly what FaceSim and
/// character similarity measure (cosine similarity), with no pair or triplet mining; it needs
/// only identity labels and sees every identity in every epoch. The margin ramps from 0 over the
/// first 10 % of the steps. An auxiliary loss (<see cref="TraitHeads"/>) asks the embedding to
/// carry the identity's rendered traits as well; its heads are dropped after training.
/// </summary>
public static class IdentityEmbedderTraining
{
    private const double MarginRamp = 0.1;

    public static IdentityEmbedder Train(CharacterWorld world, JudgeTrainingOptions? options = null, Action<string>? log = null)
    {
        options ??= new JudgeTrainingOptions();
        options.Validate();
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
        JudgeTrainingLoop.Run(world, options, generator, model.parameters().Concat(head.parameters()).Concat(traitHeads.parameters()),
            train => { if (train) model.train(); else model.eval(); }, editParts: null,
            (images, jobs, progress) =>
            {
                head.CurrentMargin = head.Margin * Math.Min(1, progress / MarginRamp);
                var labels = torch.tensor(jobs.Select(j => (long)(j.Identity - first)).ToArray()); // (B)
                var embeddings = model.forward(images);                                            // (B,128)
                return head.forward(embeddings, labels) + traitHeads.Loss(embeddings, jobs.Select(j => traits[j.Identity - first]).ToArray());
            }, log, "identity");
        return model;
    }
}
