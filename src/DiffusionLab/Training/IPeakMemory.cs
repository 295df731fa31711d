namespace DiffusionLab.Training;

/// <summary>
/// A high-water mark of memory that can be restarted, so one process can measure several pieces of work in turn
/// (a study's methods, in a fixed order). What is counted depends on the device: <see cref="Source"/> names it.
/// </summary>
public interface IPeakMemory
{
    /// <summary>What the bytes measure, e.g. "process_peak_rss" or "nvml_device_used".</summary>
    string Source { get; }

    /// <summary>Starts a new high-water mark at the current use; false when the measure cannot be restarted (the peak then counts from process start).</summary>
    bool ResetPeak();

    /// <summary>The highest use since the last <see cref="ResetPeak"/>; null when unavailable.</summary>
    long? PeakBytes { get; }

    /// <summary>The use now; null when unavailable.</summary>
    long? CurrentBytes { get; }
}
