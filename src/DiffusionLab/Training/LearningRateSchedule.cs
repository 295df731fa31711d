namespace DiffusionLab.Training;

/// <summary>
/// The factor on every group's learning rate at an optimizer step (0-based: the step about to be taken). The
/// diffusion papers keep the rate constant; the judges warm up linearly and decay by a cosine to 0, and the MNIST
/// classifier decays by a cosine from the start (PyTorch's CosineAnnealingLR with T_max = the run's steps).
/// </summary>
public sealed record LearningRateSchedule(int WarmupSteps = 0, long CosineSteps = 0)
{
    public static LearningRateSchedule Constant { get; } = new();

    public static LearningRateSchedule WarmupCosine(int warmupSteps, long totalSteps) => new(warmupSteps, totalSteps);

    public double Factor(long step)
    {
        if (step < WarmupSteps) return (step + 1.0) / WarmupSteps;
        if (CosineSteps <= 0) return 1.0;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, CosineSteps - WarmupSteps);
        return 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
