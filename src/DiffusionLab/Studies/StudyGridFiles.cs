using System.Globalization;

namespace DiffusionLab.Studies;

/// <summary>
/// The sample grids a study report keeps of each run over training, under its samples/ folder: RUN-step-NNNNNNN.png
/// for every grid the run drew (at the report's first seed, with the same noise for every run, so runs compare at
/// matched steps) and RUN.png for its last one. The report writes them; its README and the notebooks read them.
/// </summary>
public static class StudyGridFiles
{
    public static string AtStep(string run, long step) => $"{run}-step-{step.ToString("D7", CultureInfo.InvariantCulture)}.png";

    public static string Last(string run) => $"{run}.png";

    /// <summary>The steps at which <paramref name="run"/> has a grid in <paramref name="samplesDirectory"/>, in order (none when the folder is missing).</summary>
    public static IReadOnlyList<long> Steps(string samplesDirectory, string run)
    {
        if (!Directory.Exists(samplesDirectory)) return [];
        string prefix = $"{run}-step-";
        return Directory.GetFiles(samplesDirectory, prefix + "*.png")
            .Select(f => Path.GetFileNameWithoutExtension(f)[prefix.Length..])
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long step) ? step : -1)
            .Where(step => step >= 0).Order().ToList();
    }
}
