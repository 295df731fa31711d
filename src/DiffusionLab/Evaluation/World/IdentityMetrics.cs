namespace DiffusionLab.Evaluation.World;

/// <summary>
/// How well <see cref="IdentityEmbedder"/> tells held-out identities apart (never trained on).
/// </summary>
/// <param name="Identities">Held-out identities measured.</param>
/// <param name="ImagesPerIdentity">Images of each.</param>
/// <param name="VerificationAccuracy">Balanced accuracy of "same person?" over every same-identity and every different-identity pair: the mean of the two pair kinds' accuracies at <paramref name="Threshold"/>.</param>
/// <param name="Threshold">Cosine threshold chosen on the validation set (train identities, images never trained on).</param>
/// <param name="ValidationAccuracy">The balanced accuracy the threshold reached on the validation set.</param>
/// <param name="Rank1">Share of probes (images 1.. of each identity) whose nearest gallery embedding (image 0 of every identity) is their own identity's.</param>
/// <param name="MeanSameCosine">Mean cosine similarity of two images of one held-out identity.</param>
/// <param name="MeanDifferentCosine">Mean cosine similarity of images of two different held-out identities.</param>
public sealed record IdentityMetrics(int Identities, int ImagesPerIdentity, double VerificationAccuracy, double Threshold,
    double ValidationAccuracy, double Rank1, double MeanSameCosine, double MeanDifferentCosine)
{
    public override string ToString() =>
        $"identity (held-out, {Identities} ids x {ImagesPerIdentity} images): verification {VerificationAccuracy:P2} at cosine {Threshold:F3} " +
        $"(validation {ValidationAccuracy:P2}), rank-1 {Rank1:P2} (chance {1.0 / Identities:P2}), " +
        $"mean cosine same {MeanSameCosine:F3} / different {MeanDifferentCosine:F3}";
}
