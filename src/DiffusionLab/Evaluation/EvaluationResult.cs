namespace DiffusionLab.Evaluation;

/// <summary>
/// FD of generated digits against the MNIST-10k test split in classifier-feature space, and the
/// fraction classified as their intended label (null when no labels were given).
/// </summary>
public sealed record EvaluationResult(double FrechetDistance, double? ClassAccuracy, int NumSamples);
