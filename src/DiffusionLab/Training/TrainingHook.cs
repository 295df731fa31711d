namespace DiffusionLab.Training;

/// <summary>
/// Work the trainer runs between steps, e.g. a sample grid or an evaluation: after every <see cref="Every"/>-th step
/// (0: never periodically), after each step listed in <see cref="At"/>, and, when <see cref="AtEnd"/>, after the run's
/// last step. The time it takes is not counted in the run's training seconds.
/// </summary>
public sealed record TrainingHook(string Name, long Every, Action<long> Run, bool AtEnd = true, IReadOnlySet<long>? At = null)
{
    public bool IsDue(long step, long lastStep) => (Every > 0 && step % Every == 0) || (At?.Contains(step) ?? false) || (AtEnd && step == lastStep);
}
