namespace DiffusionLab.Evaluation.World;

/// <summary>
/// One generated clip judged against its ground truth (<see cref="ClipMetrics"/>); distances and similarities are means over
/// frames or frame pairs. NaN where a clip has no middle frames (L = 2) or the measure is undefined (a clip against itself).
/// </summary>
/// <param name="MiddleDistance">Mean LPIPS-style judge distance (<see cref="CharacterWorldEvaluator.PerceptualDistances"/>) of frame i to true frame i over the middle frames 1..L−2 (lower is better).</param>
/// <param name="MiddlePsnr">Mean PSNR (dB, pixels in [0, 1]) of frame i against true frame i over the middle frames (higher is better).</param>
/// <param name="FirstFrameSimilarity">Mean cosine of the factor judge's features between frame 0 and each later frame (CLIPSIM-first's stand-in).</param>
/// <param name="FramesSimilarity">Mean cosine of the judge's features between adjacent frames (CLIPSIM-frames' stand-in).</param>
/// <param name="IdentityToStart">Mean identity-judge cosine of each frame to the start keyframe (the true first frame).</param>
/// <param name="ValidFrames">Per frame: judged to have 2 eyes, 1 nose and 1 mouth.</param>
/// <param name="Smoothness">Mean RMS pixel change between adjacent frames (pixels in [0, 1]; lower is smoother).</param>
public sealed record ClipScores(double MiddleDistance, double MiddlePsnr, double FirstFrameSimilarity, double FramesSimilarity, double IdentityToStart,
    IReadOnlyList<bool> ValidFrames, double Smoothness)
{
    /// <summary>The share of frames with a valid face.</summary>
    public double ValidFaceRate => ValidFrames.Count(v => v) / (double)ValidFrames.Count;
}
