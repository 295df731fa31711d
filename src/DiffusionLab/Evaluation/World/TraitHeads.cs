using DiffusionLab.Data.World;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// Training-only auxiliary heads that read an identity's traits (class word, face shape, skin,
/// hair style and colour, eye colour, nose, mouth, mark and its side; eye spacing, eye size and
/// face width) linearly off the identity embedding. The renderer knows every identity's traits,
/// and asking the embedding to carry them teaches it what an identity is far faster than the
/// 2,000-way margin softmax alone (which sees each identity only once every ~30 steps).
/// </summary>
internal sealed class TraitHeads : Module<Tensor, Tensor>
{
    private static readonly int[] Classes =
    [
        Enum.GetValues<ClassWord>().Length, Enum.GetValues<FaceShape>().Length, Enum.GetValues<SkinTone>().Length,
        Enum.GetValues<HairStyle>().Length, Enum.GetValues<HairColor>().Length, Enum.GetValues<EyeColor>().Length,
        Enum.GetValues<NoseShape>().Length, Enum.GetValues<MouthShape>().Length, Enum.GetValues<DistinctiveMark>().Length, 2,
    ];
    private const int Continuous = 3;

    private readonly Linear heads;

    public TraitHeads(int embeddingSize) : base(nameof(TraitHeads))
    {
        heads = Linear(embeddingSize, Classes.Sum() + Continuous);
        RegisterComponents();
    }

    public void ResetParameters(Generator generator) => JudgeInit.Linear(heads, generator);

    /// <summary>(N,D) unit embeddings → (N,K) logits of every categorical trait, then the 3 continuous ones.</summary>
    // ×√D gives the unit vector's coordinates unit variance, so the heads need no large weights.
    public override Tensor forward(Tensor embeddings) => heads.forward(embeddings * Math.Sqrt(embeddings.shape[1]));

    /// <summary>Summed cross-entropies of the categorical traits plus the squared error of the standardised continuous ones.</summary>
    public Tensor Loss(Tensor embeddings, IReadOnlyList<IdentityTraits> traits)
    {
        using var scope = torch.NewDisposeScope();
        var outputs = forward(embeddings);                                           // (N,K)
        long n = traits.Count, start = 0;
        var labels = torch.tensor(traits.SelectMany(Categories).ToArray(), [n, Classes.Length]); // (N,10)
        Tensor total = torch.zeros([], embeddings.dtype);
        for (int h = 0; h < Classes.Length; h++)
        {
            total = total + functional.cross_entropy(outputs.narrow(1, start, Classes[h]), labels[.., h]);
            start += Classes[h];
        }
        // Uniform ranges → zero mean, unit variance: (x − centre)·√12/width.
        var continuous = torch.tensor(traits.SelectMany(t => new float[]
        {
            (float)((t.EyeSpacing - 1.025) * Math.Sqrt(12) / 0.35),
            (float)((t.EyeSize - 1.0) * Math.Sqrt(12) / 0.3),
            (float)((t.FaceWidth - 1.0) * Math.Sqrt(12) / 0.16),
        }).ToArray(), [n, Continuous]);                                              // (N,3)
        total = total + functional.mse_loss(outputs.narrow(1, start, Continuous), continuous);
        return total.MoveToOuterDisposeScope();
    }

    private static long[] Categories(IdentityTraits t) =>
    [
        (long)t.ClassWord, (long)t.FaceShape, (long)t.SkinTone, (long)t.HairStyle, (long)t.HairColor,
        (long)t.EyeColor, (long)t.NoseShape, (long)t.MouthShape, (long)t.Mark, t.MarkOnLeft ? 1 : 0,
    ];
}
