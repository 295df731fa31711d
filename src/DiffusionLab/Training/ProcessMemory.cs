using System.Diagnostics;
using System.Globalization;

namespace DiffusionLab.Training;

/// <summary>
/// The process's resident set (CPU memory). On Linux the peak is the kernel's VmHWM, which writing "5" to
/// /proc/self/clear_refs restarts at the current resident set (proc(5)), so each measured piece of work gets its own
/// peak; elsewhere the peak is the one since process start and cannot be restarted.
/// </summary>
public sealed class ProcessMemory : IPeakMemory
{
    private const string Status = "/proc/self/status";
    private const string ClearRefs = "/proc/self/clear_refs";

    public string Source => "process_peak_rss";

    public bool ResetPeak()
    {
        if (!File.Exists(ClearRefs)) return false;
        try
        {
            File.WriteAllText(ClearRefs, "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public long? PeakBytes => StatusKilobytes("VmHWM:") ?? Fallback(p => p.PeakWorkingSet64);

    public long? CurrentBytes => StatusKilobytes("VmRSS:") ?? Fallback(p => p.WorkingSet64);

    private static long? StatusKilobytes(string key)
    {
        if (!File.Exists(Status)) return null;
        foreach (var line in File.ReadLines(Status))
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var kb = line[key.Length..].Trim().Split(' ')[0];
                return long.TryParse(kb, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v * 1024 : null;
            }
        return null;
    }

    private static long? Fallback(Func<Process, long> read)
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return read(p);
    }
}
