using DiffusionLab.Interactive;
using DiffusionLab.Tests.Notebooks;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Interactive;

/// <summary>An interim report's results (some runs, some seeds) load as the part of the study they cover.</summary>
public class StudyNotebookPartialResultsTests
{
    [Fact]
    public void AnInterimReportNarrowsTheStudyToItsRunsAndSeeds()
    {
        string repo = NotebookRuns.RepositoryRoot();
        string results = TinyRuns.TempDir("interim-results");
        // Two of the five runs, seed 0 only.
        var lines = File.ReadAllLines(Path.Combine(repo, "results", "convergence-mnist", "metrics.csv"));
        File.WriteAllLines(Path.Combine(results, "metrics.csv"),
            lines.Take(1).Concat(lines.Skip(1).Where(l => (l.StartsWith("dit-paper,0,", StringComparison.Ordinal) || l.StartsWith("mdtv2-paper,0,", StringComparison.Ordinal)))));

        var study = StudyNotebook.Load(Path.Combine(repo, "experiments", "convergence-mnist"), results);

        Assert.Equal(["dit-paper", "mdtv2-paper"], study.Spec.Runs.Select(r => r.Name));
        Assert.Equal([0L], study.Spec.Seeds);
        Assert.Equal(2, study.Summary.Rows.Count);
        string ladders = study.LaddersMarkdown();
        Assert.Contains("| 10 % of the budget", ladders);
        Assert.DoesNotContain("mdt-paper", ladders);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, Convert.FromBase64String(study.MetricCurvePng("class_accuracy")!)[..4]);
        Assert.Null(study.MetricCurvePng("no_such_metric"));
    }
}
