namespace DiffusionLab.Evaluation.World;

/// <summary>What <see cref="CharacterWorldEvaluator.Evaluate"/> measured on a set of generated CharacterWorld images.</summary>
/// <param name="NumSamples">Generated images.</param>
/// <param name="FrechetDistance">FD in <see cref="FactorClassifier.Features"/> space against renders of the held-out identities (our FID).</param>
/// <param name="StructureValidity">Share of images with 2 eyes, 1 nose and 1 mouth.</param>
/// <param name="PromptAccuracy">Per-factor prompt accuracy and its mean (our CLIP-T); null when nothing was requested.</param>
/// <param name="IdentityConsistency">Mean pairwise identity-embedding cosine within a group, averaged over groups (StoryDiffusion's character similarity); null without groups of two or more.</param>
/// <param name="ReferenceSimilarity">Mean cosine between each image's identity embedding and its group's mean reference embedding (PhotoMaker's FaceSim); null without references.</param>
/// <param name="Diversity">Mean pairwise LPIPS-style distance of the face windows within a group, averaged over groups (PhotoMaker's Face Div); null without groups of two or more.</param>
public sealed record CharacterWorldEvaluation(int NumSamples, double FrechetDistance, double StructureValidity, FactorAccuracy? PromptAccuracy,
    double? IdentityConsistency, double? ReferenceSimilarity, double? Diversity)
{
    public override string ToString() =>
        $"{NumSamples} images: FD {FrechetDistance:F2}, structure validity {StructureValidity:P2}" +
        (PromptAccuracy is null ? "" : $", prompt accuracy {PromptAccuracy}") +
        (IdentityConsistency is null ? "" : $", identity consistency {IdentityConsistency:F3}") +
        (ReferenceSimilarity is null ? "" : $", reference similarity {ReferenceSimilarity:F3}") +
        (Diversity is null ? "" : $", diversity {Diversity:F3}");
}
