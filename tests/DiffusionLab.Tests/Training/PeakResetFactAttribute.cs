using DiffusionLab.Training;

namespace DiffusionLab.Tests.Training;

/// <summary>A test that needs a restartable peak resident set (Linux /proc/self/clear_refs): skipped, with the reason, elsewhere.</summary>
public sealed class PeakResetFactAttribute : FactAttribute
{
    public PeakResetFactAttribute()
    {
        if (!new ProcessMemory().ResetPeak()) Skip = "the peak resident set cannot be restarted here (no writable /proc/self/clear_refs)";
    }
}
