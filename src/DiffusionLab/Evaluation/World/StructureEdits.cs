using DiffusionLab.Data.World;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// Face-part edits for the structure checker: half of the faces keep their normal 2/1/1 parts, half get random
/// part counts, and the true counts of each render (its training targets and the held-out check's truth).
/// </summary>
internal static class StructureEdits
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

    /// <summary>The jobs with, for a <see cref="EditProbability"/> share drawn from <paramref name="generator"/>, uniformly random non-normal face parts.</summary>
    public static RenderJob[] Edit(RenderJob[] jobs, Generator generator)
    {
        using var edit = torch.rand(jobs.Length, generator: generator);
        using var which = torch.randint(Edits.Length, [jobs.Length], generator: generator);
        var e = edit.data<float>().ToArray();
        var w = which.data<long>().ToArray();
        return jobs.Select((j, i) => e[i] < EditProbability ? j with { Parts = Edits[w[i]] } : j).ToArray();
    }

    /// <summary>(N,3) int64 true counts (eyes, noses, mouths) of the jobs.</summary>
    public static Tensor Counts(IReadOnlyList<RenderJob> jobs) =>
        torch.tensor(jobs.SelectMany(j => new long[] { j.Parts.Eyes, j.Parts.Noses, j.Parts.Mouths }).ToArray(), [jobs.Count, 3]);
}
