using DiffusionLab.Evaluation;
using DiffusionLab.Runs;
namespace DiffusionLab.Studies;

/// <summary>
/// What the PhotoMaker study measured of one method as a whole, in the order the methods ran in one process.
/// </summary>
/// <param name="Label">The method's name in the tables.</param>
/// <param name="Kind">What the method is.</param>
/// <param name="FrechetDistance">FD of all its main generations against held-out renders (our FID).</param>
/// <param name="PeakBytes">Peak memory while the method generated its main set (DreamBooth: tuning included); see <see cref="PhotoMakerStudyResults.MemorySource"/>.</param>
/// <param name="PeakAboveStartBytes">That peak minus the use when the method started (what the method itself added).</param>
/// <param name="RunFolder">A PhotoMaker variant's run folder; null otherwise.</param>
/// <param name="TrainedSteps">A PhotoMaker variant's training steps, DreamBooth's tuning steps per person; null for the text-only floor.</param>
/// <param name="ClassImageSecondsPerPerson">DreamBooth: generating the prior-preservation images, per person.</param>
/// <param name="TuningSecondsPerPerson">DreamBooth: the tuning steps, per person (the class images not included).</param>
public sealed record PhotoMakerStudyMethod(
    string Label,
    PhotoMakerStudyMethodKind Kind,
    double FrechetDistance,
    long? PeakBytes,
    long? PeakAboveStartBytes,
    string? RunFolder,
    long? TrainedSteps,
    double? ClassImageSecondsPerPerson,
    double? TuningSecondsPerPerson)
{
    /// <summary>DreamBooth's whole per-person cost before its first image (class images + tuning); 0 for the others.</summary>
    public double SetupSecondsPerPerson => (ClassImageSecondsPerPerson ?? 0) + (TuningSecondsPerPerson ?? 0);
}
