using DiffusionLab.Interactive;
using DiffusionLab.IO;
using DiffusionLab.Studies;

namespace DiffusionLab.Cli.Commands;

/// <summary>curves.html of a study: its interactive FD figure as a standalone page (plotly.js embedded, no CDN).</summary>
public static class StudyCharts
{
    public static void WriteHtml(StudySpec spec, StudyResults results, string path)
    {
        string page = $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{spec.Name}</title></head><body>\n{StudyDisplay.FdChartHtml(spec, results)}\n</body></html>\n";
        AtomicFile.WriteAllText(path, page);
    }
}
