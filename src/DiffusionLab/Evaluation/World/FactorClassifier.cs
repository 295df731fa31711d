using DiffusionLab.Data.World;
using DiffusionLab.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// Our CLIP-T stand-in for CharacterWorld (photomaker.md §4.2, storydiffusion.md §5.1
/// "Text-Image Similarity"): one <see cref="JudgeTrunk"/>, global average pooling and one linear
/// head per prompt factor (class word, expression, headwear, clothing colour, background), so
/// prompt fidelity is the share of generated images whose predicted factors are the requested ones.
/// The pooled 256-d trunk output (<see cref="Features"/>) is also the Fréchet-distance feature space.
/// </summary>
public sealed class FactorClassifier : Module<Tensor, Tensor>
{
    /// <summary>Factor names (the <see cref="CharacterWorldDataset"/> label keys) and class counts, in logit order.</summary>
    public static IReadOnlyList<(string Name, int Classes)> Factors { get; } = Array.AsReadOnly(new (string, int)[]
    {
        (CharacterWorldDataset.ClassWordLabel, Enum.GetValues<ClassWord>().Length),
        (CharacterWorldDataset.ExpressionLabel, Enum.GetValues<Expression>().Length),
        (CharacterWorldDataset.HeadwearLabel, Enum.GetValues<Headwear>().Length),
        (CharacterWorldDataset.ClothingLabel, Enum.GetValues<ClothingColor>().Length),
        (CharacterWorldDataset.BackgroundLabel, Enum.GetValues<BackgroundScene>().Length),
    });

    public static int LogitCount { get; } = Factors.Sum(f => f.Classes);

    private readonly JudgeTrunk trunk;
    private readonly Linear heads;

    public FactorClassifier() : base(nameof(FactorClassifier))
    {
        trunk = new JudgeTrunk();
        heads = Linear(JudgeTrunk.FeatureSize, LogitCount);
        RegisterComponents();
    }

    public JudgeTrunk Trunk => trunk;

    /// <summary>(N,3,64,64) in [−1,1] → (N,256) pooled trunk features (post-ReLU averages, like Inception's pool3 in FID).</summary>
    public Tensor Features(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return trunk.forward(x).mean([2, 3]).MoveToOuterDisposeScope(); // (N,256)
    }

    /// <summary>(N,256) features → (N,31) logits of every factor, concatenated in <see cref="Factors"/> order.</summary>
    public Tensor Classify(Tensor features) => heads.forward(features);

    /// <summary>(N,3,64,64) → (N,31) concatenated logits.</summary>
    public override Tensor forward(Tensor x)
    {
        using var features = Features(x); // (N,256)
        return Classify(features);        // (N,31)
    }

    /// <summary>Views of (N,31) logits per factor, (N,classes) each, keyed by factor name.</summary>
    public static Dictionary<string, Tensor> Split(Tensor logits)
    {
        var result = new Dictionary<string, Tensor>();
        long start = 0;
        foreach (var (name, classes) in Factors)
        {
            result[name] = logits.narrow(1, start, classes);
            start += classes;
        }
        return result;
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
