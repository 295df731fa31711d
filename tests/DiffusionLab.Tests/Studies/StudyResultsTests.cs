using DiffusionLab.Studies;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Studies;

/// <summary>metrics.csv with extra evaluation metrics, the final tables, and the report's caveats.</summary>
public class StudyResultsTests
{
    private static StudySpec Spec() => new()
    {
        Name = "s", Seeds = [0, 1], Baseline = "a",
        Runs = [new StudyRun { Name = "a", Label = "A" }, new StudyRun { Name = "b", Label = "B", ClaimedSpeedup = 3 }],
    };

    private static StudyResults Results() => new(
    [
        new("a", 0, 100, 10, null, 50, 0.1, new Dictionary<string, double> { ["prompt_accuracy"] = 0.5 }),
        new("a", 0, 200, 20, null, 60, 0.12, new Dictionary<string, double> { ["prompt_accuracy"] = 0.6, ["structure_valid"] = 0.9 }),
        new("a", 1, 100, 10, null, 52, 0.1, null),
        new("a", 1, 200, 20, null, 62, 0.1, new Dictionary<string, double> { ["prompt_accuracy"] = 0.8 }),
        new("a", 1, 200, 20, 0.3, null, null, null),
        new("b", 0, 100, 12, null, 40, 0.11, null),
        new("b", 0, 200, 24, null, 30, 0.13, null),
        new("b", 1, 100, 12, null, 42, 0.1, null),
        new("b", 1, 200, 24, null, 32, 0.1, null),
    ]);

    [Fact]
    public void ExtraMetricsRoundTripThroughTheCsv()
    {
        var results = Results();
        Assert.Equal(["prompt_accuracy", "structure_valid"], results.ExtraMetrics);
        string csv = results.ToCsv();
        Assert.StartsWith(StudyResults.CsvHeader + ",prompt_accuracy,structure_valid\n", csv);
        string path = Path.Combine(TinyRuns.TempDir("csv"), "metrics.csv");
        File.WriteAllText(path, csv);
        var back = StudyResults.FromCsv(path);
        Assert.Equal(csv, back.ToCsv());
        var final = back.FinalExtras("a");
        Assert.Equal(0.7, final["prompt_accuracy"], 12);   // mean of the seeds that have it
        Assert.Equal(0.9, final["structure_valid"], 12);
        Assert.Empty(back.FinalExtras("b"));
    }

    [Fact]
    public void AMetricCurveAveragesTheSeedsAtTheStepsEverySeedEvaluatedIt()
    {
        var results = Results();
        Assert.Equal([(100L, 0.1), (200L, 0.11)], results.MeanMetricCurve("a", "class_accuracy").Select(c => (c.Step, Math.Round(c.Value, 12))));
        // Seed 1 has prompt_accuracy at step 200 only, so step 100 is not a common point.
        Assert.Equal([(200L, 0.7)], results.MeanMetricCurve("a", "prompt_accuracy").Select(c => (c.Step, Math.Round(c.Value, 12))));
        Assert.Empty(results.MeanMetricCurve("b", "prompt_accuracy"));
        var series = StudyFigures.MeanMetricSeries(Spec(), results, "prompt_accuracy");
        Assert.Equal("A", Assert.Single(series).name);
        Assert.Null(StudyFigures.LearningPng(Spec(), results, "probe_label_follow_t600"));
        var png = StudyFigures.LearningPng(Spec(), results, "class_accuracy");
        Assert.NotNull(png);
        Assert.Equal(0x89, png![0]);
    }

    [Fact]
    public void TheReportSaysWhenTheBaselineGotWorseAndWhenNoRunDrawsItsClasses()
    {
        var spec = Spec();
        var results = Results();
        var caveats = StudyReport.Caveats(spec, results, StudySummary.Of(spec, results));
        Assert.Contains(caveats, c => c.StartsWith("A's mean FD was lowest at step 100 (51.00) and rose to 61.00"));
        Assert.Contains(caveats, c => c.StartsWith("No run draws its asked-for classes yet"));
        string readme = StudyReport.Readme(spec, "full", results, new StudyProvenance("cmd", "rev", "cpu", DateTime.UnixEpoch, 60));
        Assert.Contains("| A | 0.700 | 0.900 |", readme);
        Assert.Contains("No run draws its asked-for classes yet", readme);
    }

    [Fact]
    public void ARunPastTheTargetAtItsFirstEvaluationGetsABoundNotAVerdict()
    {
        var spec = Spec();
        var results = Results();
        var summary = StudySummary.Of(spec, results);
        // B's mean FD (41) is below A's final mean (61) at step 100, its first evaluation: 1× is all the grid can say.
        Assert.True(summary["b"].ReachedAtFirstEvaluation);
        Assert.False(summary["a"].ReachedAtFirstEvaluation);   // the baseline is the yardstick, not bounded
        Assert.Equal("≥ ", summary["b"].Bound);
        Assert.StartsWith("undecided", summary.Verdict(summary["b"]));
        string readme = StudyReport.Readme(spec, "full", results, new StudyProvenance("cmd", "rev", "cpu", DateTime.UnixEpoch, 60));
        Assert.Contains("| B | ≤ 100 | ≥ 1.00× |", readme);
        Assert.Contains("at least 1.00× fewer steps than A", readme);
    }

    [Fact]
    public void AComparisonLaddersSomeRunsAgainstAnotherRunThanTheBaseline()
    {
        var spec = Spec() with
        {
            Runs = [.. Spec().Runs, new StudyRun { Name = "p", Label = "P" }, new StudyRun { Name = "q", Label = "Q" }],
            Comparisons = [new StudyComparison { Title = "Paper recipes", Baseline = "p", Runs = ["q"] }],
        };
        // p and q at seed 0 only: the comparison is at p's seeds. q reaches p's FD at 25 % (step 100, FD 80) at step 85,
        // at 50 % (70) at step 125 and at 100 % (60) at step 175.
        var results = new StudyResults([.. Results().Records,
            new("p", 0, 40, 4, null, 90, null), new("p", 0, 100, 10, null, 80, null), new("p", 0, 200, 20, null, 70, null), new("p", 0, 400, 40, null, 60, null),
            new("q", 0, 40, 4, null, 95, null), new("q", 0, 100, 10, null, 75, null), new("q", 0, 200, 20, null, 55, null), new("q", 0, 400, 40, null, 40, null)]);
        var compared = spec.Comparisons[0].Of(spec, results);
        Assert.NotNull(compared);
        Assert.Equal("p", compared!.Baseline);
        Assert.Equal(["p", "q"], compared.Runs.Select(r => r.Name));
        Assert.Equal([0L], compared.Seeds);
        var top = ConvergenceLadder.Of(compared, results).Cells.Single(c => c.Run == "q" && c.Target.Fraction == 1.0);
        Assert.Equal(400.0 / 175, Assert.Single(top.PairedSpeedups), 9);
        string readme = StudyReport.Readme(spec, "full", results, new StudyProvenance("cmd", "rev", "cpu", DateTime.UnixEpoch, 60));
        Assert.Contains("## Paper recipes: the target ladder against P", readme);
        // Without its baseline's results (an interim report) there is no such section.
        var withoutP = new StudyResults(results.Records.Where(r => r.Run != "p").ToList());
        Assert.Null(spec.Comparisons[0].Of(spec, withoutP));
        Assert.DoesNotContain("## Paper recipes", StudyReport.Readme(spec, "full", withoutP, new StudyProvenance("cmd", "rev", "cpu", DateTime.UnixEpoch, 60)));
    }
}
