namespace DiffusionLab.Evaluation.World;

/// <summary>Per-factor accuracy of <see cref="FactorClassifier"/> on renders of held-out identities.</summary>
/// <param name="Images">Images measured.</param>
/// <param name="Accuracy">Factor name → share of images whose predicted class is the rendered one.</param>
public sealed record FactorMetrics(int Images, IReadOnlyDictionary<string, double> Accuracy)
{
    public double Mean => Accuracy.Values.Average();

    public override string ToString() =>
        $"factors (held-out, {Images} images): " + string.Join(", ", Accuracy.Select(kv => $"{kv.Key} {kv.Value:P2}")) + $"; mean {Mean:P2}";
}
