namespace DiffusionLab.Evaluation.World;

/// <summary>
/// Fréchet distances in <see cref="FactorClassifier.Features"/> space against the evaluator's
/// reference set (held-out identities, images 0..K−1), for reading a generator's FD.
/// </summary>
/// <param name="Images">Images in every compared set (and in the reference).</param>
/// <param name="OtherHeldOutImages">Other renders of the same held-out identities (images K..2K−1): the floor a perfect generator reaches.</param>
/// <param name="TrainIdentities">Renders of as many train identities: a perfect generator of other people.</param>
/// <param name="Blurred">The reference images' identities re-rendered then blurred (σ 1.5 px) and down-sampled ×2: a soft generator.</param>
/// <param name="Noise">Uniform noise in [−1,1]: the ceiling.</param>
public sealed record FdReferenceNumbers(int Images, double OtherHeldOutImages, double TrainIdentities, double Blurred, double Noise)
{
    public override string ToString() =>
        $"FD vs held-out reference ({Images} images each): other held-out renders {OtherHeldOutImages:F2}, train identities {TrainIdentities:F2}, " +
        $"blurred {Blurred:F2}, uniform noise {Noise:F1}";
}
