using System.Text.RegularExpressions;
using DiffusionLab.Interactive;
using DiffusionLab.Studies;
using DiffusionLab.Tests.Notebooks;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Interactive;

/// <summary>A study notebook shows what the study README shows: the grids at matched steps and the Comparisons' ladders.</summary>
public class StudyNotebookGridsTests
{
    [Fact]
    public void GridsOverTrainingAreARowPerRunAndAColumnPerStepWithAGapWhereARunHasNone()
    {
        string repo = NotebookRuns.RepositoryRoot();
        string committed = Path.Combine(repo, "results", "convergence-mnist-digits");
        string results = TinyRuns.TempDir("grids-results");
        File.Copy(Path.Combine(committed, "metrics.csv"), Path.Combine(results, "metrics.csv"));
        Directory.CreateDirectory(Path.Combine(results, "samples"));
        // DiT at two steps, MDTv2 at one of them: its other cell is a gap, not a wrong picture.
        foreach (var (run, step) in new[] { ("dit-matched", 2000L), ("dit-matched", 8000L), ("mdtv2-matched", 8000L) })
            File.Copy(Path.Combine(committed, "samples", StudyGridFiles.AtStep(run, step)), Path.Combine(results, "samples", StudyGridFiles.AtStep(run, step)));

        var study = StudyNotebook.Load(Path.Combine(repo, "experiments", "convergence-mnist-digits"), results);
        string html = study.SamplesOverTrainingHtml();

        Assert.Equal(["step 2000", "step 8000"], Regex.Matches(html, "<th>(step \\d+)</th>").Select(m => m.Groups[1].Value));
        var rows = Regex.Matches(html, "<tr><td>([^<]+)</td>(.*?)</tr>").ToList();
        Assert.Equal(["DiT (matched recipe)", "MDTv2 (matched recipe)"], rows.Select(r => r.Groups[1].Value));
        Assert.Equal(2, Regex.Matches(rows[0].Groups[2].Value, "data:image/png;base64,").Count);
        Assert.Single(Regex.Matches(rows[1].Groups[2].Value, "<td>–</td>"));
        Assert.Single(Regex.Matches(rows[1].Groups[2].Value, "data:image/png;base64,"));
    }

    [Fact]
    public void ResultsWithoutGridsOverTrainingAreNamed()
    {
        string repo = NotebookRuns.RepositoryRoot();
        string results = TinyRuns.TempDir("no-grids-results");
        File.Copy(Path.Combine(repo, "results", "convergence-mnist-digits", "metrics.csv"), Path.Combine(results, "metrics.csv"));
        var study = StudyNotebook.Load(Path.Combine(repo, "experiments", "convergence-mnist-digits"), results);

        var e = Assert.Throws<ArgumentException>(() => study.SamplesOverTrainingHtml());
        Assert.Contains(results, e.Message);
        Assert.Contains("no sample grids over training", e.Message);
    }

    [Fact]
    public void TheLaddersIncludeTheStudysComparisons()
    {
        string repo = NotebookRuns.RepositoryRoot();
        var study = StudyNotebook.Load(Path.Combine(repo, "experiments", "convergence-mnist-digits"), Path.Combine(repo, "results", "convergence-mnist-digits"));

        string ladders = study.LaddersMarkdown();

        Assert.Contains("## The papers' recipes against each other: the target ladder against DiT (its paper recipe: AdamW 1e-4)", ladders);
        Assert.Contains("| 10 % of the budget (step 800): FD 469.3", ladders);
    }
}
