using DiffusionLab.Evaluation.World;

namespace DiffusionLab.Studies;

/// <summary>
/// One transition drawn by one method with one seed, as the judges saw it against the ground-truth clip: held-out
/// person, motion size of the keyframe pair, seed, the <see cref="ClipScores"/>, and the seconds the clip took.
/// </summary>
public sealed record MotionStudyRow(string Method, int Person, double Motion, long Seed, ClipScores Scores, double Seconds);
