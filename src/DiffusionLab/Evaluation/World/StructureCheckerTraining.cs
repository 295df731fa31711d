using DiffusionLab.Data.World;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// Trains <see cref="StructureChecker"/> on renders of the train identities of which half keep
/// their normal 2/1/1 face and half get random part counts (<see cref="Edit"/>): the sum of the
/// three heads' cross-entropies.
/// </summary>
public static class StructureCheckerTraining
{
    /// <summary>Share of faces whose part counts are redrawn (the rest stay 2/1/1).</summary>
    public const double EditProbability = 0.5;

    // Every (eyes, noses, mouths) except the normal 2/1/1: the 35 edits, drawn uniformly.
    private static readonly FaceParts[] Edits =
        (from e in Enumerable.Range(0, StructureChecker.EyeClasses)
         from n in Enumerable.Range(0, StructureChecker.NoseClasses)
         from m in Enumerable.Range(0, StructureChecker.MouthClasses)
         let parts = new FaceParts(e, n, m)
         where !parts.IsNormal
         select parts).ToArray();

    public static StructureChecker Train(CharacterWorld world, JudgeTrainingOptions? options = null, Action<string>? log = null)
    {
        options ??= new JudgeTrainingOptions();
        options.Validate();
        var generator = new Generator((ulong)options.Seed);
        var model = new StructureChecker();
        model.ResetParameters(generator);
        JudgeTrainingLoop.Run(world, options, generator, model.parameters(),
            train => { if (train) model.train(); else model.eval(); }, Edit,
            (images, jobs, _) =>
            {
                var (eyes, noses, mouths) = StructureChecker.Split(model.forward(images)); // (B,4) (B,3) (B,3)
                var counts = Counts(jobs);                                                 // (B,3)
                return torch.nn.functional.cross_entropy(eyes, counts[.., 0])
                     + torch.nn.functional.cross_entropy(noses, counts[.., 1])
                     + torch.nn.functional.cross_entropy(mouths, counts[.., 2]);
            }, log, "structure");
        return model;
    }

    /// <summary>The jobs with, for a <see cref="EditProbability"/> share drawn from <paramref name="generator"/>, uniformly random non-normal face parts.</summary>
    internal static RenderJob[] Edit(RenderJob[] jobs, Generator generator)
    {
        using var edit = torch.rand(jobs.Length, generator: generator);
        using var which = torch.randint(Edits.Length, [jobs.Length], generator: generator);
        var e = edit.data<float>().ToArray();
        var w = which.data<long>().ToArray();
        return jobs.Select((j, i) => e[i] < EditProbability ? j with { Parts = Edits[w[i]] } : j).ToArray();
    }

    /// <summary>(N,3) int64 true counts (eyes, noses, mouths) of the jobs.</summary>
    internal static Tensor Counts(IReadOnlyList<RenderJob> jobs) =>
        torch.tensor(jobs.SelectMany(j => new long[] { j.Parts.Eyes, j.Parts.Noses, j.Parts.Mouths }).ToArray(), [jobs.Count, 3]);
}
