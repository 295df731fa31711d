using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// The group statistics behind identity consistency, reference similarity and diversity, on
/// embeddings or pairwise values already computed: every group counts once, whatever its size.
/// </summary>
public static class GroupMetrics
{
    /// <summary>
    /// Mean of the off-diagonal entries of <paramref name="pairValues"/> (N,N) within each group of
    /// two or more images, averaged over those groups. Throws when no group has two images.
    /// </summary>
    public static double MeanWithinGroups(Tensor pairValues, IReadOnlyList<int> groups)
    {
        CheckGroups(groups, pairValues.shape[0]);
        if (pairValues.dim() != 2 || pairValues.shape[0] != pairValues.shape[1])
            throw new ArgumentException($"pairValues: expected (N,N), got [{string.Join(", ", pairValues.shape)}]");
        using var scope = torch.NewDisposeScope();
        var means = new List<double>();
        foreach (var members in Members(groups))
        {
            if (members.Length < 2) continue;
            using var index = torch.tensor(members);
            means.Add(MeanOffDiagonal(pairValues.index_select(0, index).index_select(1, index)));
        }
        if (means.Count == 0) throw new ArgumentException("groups: no group has two or more images");
        return means.Average();
    }

    /// <summary>Mean of the off-diagonal entries of an (n,n) matrix, n ≥ 2.</summary>
    public static double MeanOffDiagonal(Tensor matrix)
    {
        long n = matrix.shape[0];
        if (matrix.dim() != 2 || matrix.shape[1] != n || n < 2)
            throw new ArgumentException($"matrix: expected (n,n) with n >= 2, got [{string.Join(", ", matrix.shape)}]");
        using var scope = torch.NewDisposeScope();
        var m = matrix.to(ScalarType.Float64);
        return ((m.sum() - m.diagonal().sum()) / (n * (n - 1))).item<double>();
    }

    /// <summary>(N,D) embeddings → (N,N) cosine similarities.</summary>
    public static Tensor Cosines(Tensor embeddings)
    {
        using var scope = torch.NewDisposeScope();
        var unit = nn.functional.normalize(embeddings.to(ScalarType.Float64), dim: 1); // (N,D)
        return unit.matmul(unit.t()).MoveToOuterDisposeScope();                       // (N,N)
    }

    /// <summary>
    /// Mean over images whose group has references of the cosine between the image's embedding
    /// (N,D) and the mean of its group's reference embeddings (M_g,D). Throws when no image has one.
    /// </summary>
    public static double MeanCosineToReferences(Tensor embeddings, IReadOnlyList<int> groups, IReadOnlyDictionary<int, Tensor> referenceEmbeddings)
    {
        CheckGroups(groups, embeddings.shape[0]);
        using var scope = torch.NewDisposeScope();
        var centres = referenceEmbeddings.ToDictionary(kv => kv.Key, kv =>
        {
            if (kv.Value.dim() != 2 || kv.Value.shape[0] < 1 || kv.Value.shape[1] != embeddings.shape[1])
                throw new ArgumentException($"references of group {kv.Key}: expected (M,{embeddings.shape[1]}) with M >= 1, got [{string.Join(", ", kv.Value.shape)}]");
            return kv.Value.to(ScalarType.Float64).mean([0]);                         // (D)
        });
        var cosines = new List<double>();
        for (int i = 0; i < groups.Count; i++)
            if (centres.TryGetValue(groups[i], out var centre))
                cosines.Add(nn.functional.cosine_similarity(embeddings[i].to(ScalarType.Float64), centre, dim: 0).item<double>());
        if (cosines.Count == 0) throw new ArgumentException("references: no image's group has reference images");
        return cosines.Average();
    }

    /// <summary>The row indices of each group, groups in order of first appearance.</summary>
    public static IReadOnlyList<long[]> Members(IReadOnlyList<int> groups) =>
        groups.Select((g, i) => (g, i)).GroupBy(p => p.g).Select(gr => gr.Select(p => (long)p.i).ToArray()).ToArray();

    /// <summary>Whether some group has two or more images.</summary>
    public static bool HasPairs(IReadOnlyList<int> groups) => groups.GroupBy(g => g).Any(g => g.Count() >= 2);

    private static void CheckGroups(IReadOnlyList<int> groups, long n)
    {
        if (groups.Count != n) throw new ArgumentException($"groups: expected one group id per image ({n}), got {groups.Count}");
    }
}
