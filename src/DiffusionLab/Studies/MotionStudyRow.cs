using DiffusionLab.Evaluation.World;

namespace DiffusionLab.Studies;

/// <summary>
/// One transition drawn by one method with one seed, as the judges saw it against the ground-truth clip: held-out
/// person, motion size of the keyframe pair, seed, the <see cref="ClipScores"/>, the seconds the clip took, and the
/// <see cref="MotionStudy.EmbeddingError"/> of the per-frame embeddings the method conditioned on (NaN where it has none).
/// </summary>
public sealed record MotionStudyRow(string Method, int Person, double Motion, long Seed, ClipScores Scores, double Seconds, double EmbeddingError);
