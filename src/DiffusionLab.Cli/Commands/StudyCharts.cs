using DiffusionLab.Interactive;
using DiffusionLab.Studies;

namespace DiffusionLab.Cli.Commands;

/// <summary>curves.html of a study: its interactive FD figure as a page that loads the shared results/assets/plotly.min.js (no CDN).</summary>
public static class StudyCharts
{
    public static void WriteHtml(StudySpec spec, StudyResults results, string path) =>
        PlotlyChart.WritePage(StudyDisplay.FdChart(spec, results), spec.Name, path);
}
