using DiffusionLab.Data.World;
using DiffusionLab.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// Counts a face's eyes (0–3), noses (0–2) and mouths (0–2): the check for the structural errors
/// the MDT talk shows ("a generated dog missing an eye"). A <see cref="JudgeTrunk"/>, global
/// average pooling (an average of part detectors is proportional to how many parts there are)
/// and one linear head per part; a face is valid when it has 2 eyes, 1 nose and 1 mouth.
/// </summary>
public sealed class StructureChecker : Module<Tensor, Tensor>
{
    public const int EyeClasses = 4, NoseClasses = 3, MouthClasses = 3;
    public const int LogitCount = EyeClasses + NoseClasses + MouthClasses;

    private readonly JudgeTrunk trunk;
    private readonly Linear heads;

    public StructureChecker() : base(nameof(StructureChecker))
    {
        trunk = new JudgeTrunk();
        heads = Linear(JudgeTrunk.FeatureSize, LogitCount);
        RegisterComponents();
    }

    /// <summary>(N,3,64,64) in [−1,1] → (N,10) logits: eyes 0–3, then noses 0–2, then mouths 0–2.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var f = trunk.forward(x).mean([2, 3]);        // (N,256)
        return heads.forward(f).MoveToOuterDisposeScope(); // (N,10)
    }

    /// <summary>(N,10) logits → ((N,4) eyes, (N,3) noses, (N,3) mouths) views.</summary>
    public static (Tensor Eyes, Tensor Noses, Tensor Mouths) Split(Tensor logits) =>
        (logits.narrow(1, 0, EyeClasses), logits.narrow(1, EyeClasses, NoseClasses), logits.narrow(1, EyeClasses + NoseClasses, MouthClasses));

    /// <summary>(N,10) logits → (N,3) int64 predicted counts (eyes, noses, mouths).</summary>
    public static Tensor Counts(Tensor logits)
    {
        using var scope = torch.NewDisposeScope();
        var (eyes, noses, mouths) = Split(logits);
        return torch.stack([eyes.argmax(1), noses.argmax(1), mouths.argmax(1)], 1).MoveToOuterDisposeScope();
    }

    /// <summary>(N,3) counts → (N) bool: 2 eyes, 1 nose and 1 mouth, as <see cref="FaceParts.IsNormal"/>.</summary>
    public static Tensor IsValid(Tensor counts)
    {
        using var scope = torch.NewDisposeScope();
        using var normal = torch.tensor(new long[] { 2, 1, 1 });
        return counts.eq(normal.to(counts.device)).all(1).MoveToOuterDisposeScope();
    }

    public void ResetParameters(Generator generator)
    {
        trunk.ResetParameters(generator);
        JudgeInit.Linear(heads, generator);
    }

    public void SaveWeights(string path) => SafetensorsFile.Save(path, state_dict());

    /// <summary>Copies a state dict in, strictly, and disposes it; <paramref name="source"/> names it in errors.</summary>
    public void LoadWeights(Dictionary<string, Tensor> state, string source) => JudgeInit.LoadStrict(this, state, source);
}
