namespace DiffusionLab.Evaluation.World;

/// <summary>Prompt fidelity: per requested factor, the share of images whose predicted class is the requested one.</summary>
/// <param name="PerFactor">Factor name → accuracy, for the factors requested of at least one image.</param>
/// <param name="Counts">Factor name → how many images requested it.</param>
public sealed record FactorAccuracy(IReadOnlyDictionary<string, double> PerFactor, IReadOnlyDictionary<string, int> Counts)
{
    /// <summary>The unweighted mean over the scored factors: our CLIP-T.</summary>
    public double Mean => PerFactor.Values.Average();

    public override string ToString() =>
        $"{Mean:P2} (" + string.Join(", ", PerFactor.Select(kv => $"{kv.Key} {kv.Value:P2}")) + ")";
}
