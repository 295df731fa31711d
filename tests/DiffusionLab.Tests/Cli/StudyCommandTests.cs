using DiffusionLab.Studies;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Cli;

public class StudyCommandTests
{
    [Fact]
    public void StudyRunsEverySeedWritesTheReportAndSkipsFinishedRuns()
    {
        string dir = TinyRuns.TempDir("study");
        string study = Path.Combine(dir, "tiny-study");
        Directory.CreateDirectory(study);
        File.WriteAllText(Path.Combine(study, "dit.json"), TinyRuns.Json("DiT-Tiny/4", steps: 4));
        File.WriteAllText(Path.Combine(study, "mdt.json"), TinyRuns.Json("MDT-Tiny/4", steps: 4));
        File.WriteAllText(Path.Combine(study, "study.json"), """
            {
              "Name": "tiny-study",
              "Description": "Two tiny models.",
              "Seeds": [0, 1],
              "Baseline": "dit",
              "Runs": [
                { "Name": "dit", "Label": "DiT", "Config": "dit.json" },
                { "Name": "mdt", "Label": "MDT", "Config": "mdt.json", "Set": ["Model.RelativePositionBias=false"], "ClaimedSpeedup": 3 }
              ],
              "Scales": { "smoke": ["Training.EvaluateEvery=2", "Evaluation.NumSamples=10"] }
            }
            """);
        string runs = Path.Combine(dir, "runs"), results = Path.Combine(dir, "results");
        // One run at one seed, as a second process would train it: no report; the full command then skips it.
        var one = CliHarness.Difflab("study", "run", study, "--scale", "smoke", "--device", "cpu", "--runs", runs, "--results", results, "--only", "mdt", "--seeds", "1");
        Assert.True(one.Code == 0, one.Err);
        Assert.Contains("trained runs mdt seeds 1; no report", one.Out);
        Assert.False(Directory.Exists(results));
        Assert.Equal(["mdt-seed1"], Directory.GetDirectories(Path.Combine(runs, "tiny-study", "smoke")).Select(Path.GetFileName));
        var (code, output, err) = CliHarness.Difflab("study", "run", study, "--scale", "smoke", "--device", "cpu", "--runs", runs, "--results", results);
        Assert.True(code == 0, err);
        Assert.Contains("mdt seed 1: finished, skipped", output);

        var measured = StudyResults.FromCsv(Path.Combine(results, "metrics.csv"));
        Assert.Equal(["dit", "mdt"], measured.RunNames);
        Assert.Equal([0L, 1L], measured.Seeds("mdt"));
        Assert.Equal([2L, 4L], measured.MeanFdCurve("dit").Select(c => c.Step));
        foreach (var file in new[] { "README.md", "curves.png", "curves-wallclock.png", "curves.html", Path.Combine("samples", "dit.png"), Path.Combine("samples", "mdt.png") })
            Assert.True(File.Exists(Path.Combine(results, file)), file);
        string html = File.ReadAllText(Path.Combine(results, "curves.html"));
        Assert.Contains("\"xaxis2\"", html);
        Assert.DoesNotContain("cdn.", html); // plotly.js is embedded, not fetched
        string readme = File.ReadAllText(Path.Combine(results, "README.md"));
        Assert.Contains("Speed-up", readme);
        Assert.Contains("the paper claims about 3×", readme);
        // Every grid over training, side by side at matched steps.
        var grids = Directory.GetFiles(Path.Combine(results, "samples"), "mdt-step-*.png");
        Assert.NotEmpty(grids);
        Assert.Contains("## Sample grids at matched steps (seed 0)", readme);
        Assert.Contains($"<img src=\"samples/{Path.GetFileName(grids[^1])}\"", readme);
        // The README's final FDs are the CSV's numbers.
        double finalDit = measured.FinalFds("dit").Average();
        Assert.Contains(finalDit.ToString("F2", System.Globalization.CultureInfo.InvariantCulture), readme);

        var again = CliHarness.Difflab("study", "run", study, "--scale", "smoke", "--device", "cpu", "--runs", runs, "--results", results);
        Assert.Equal(0, again.Code);
        Assert.Equal(4, again.Out.Split('\n').Count(l => l.Contains("finished, skipped")));

        // The report again from the run folders, as for runs trained on another machine: same numbers, new provenance.
        string redrawn = Path.Combine(dir, "redrawn");
        var report = CliHarness.Difflab("study", "report", study, "--scale", "smoke", "--runs", runs, "--results", redrawn, "--trained-on", "a test GPU", "--trained-by", "bash train.sh");
        Assert.True(report.Code == 0, report.Err);
        Assert.Equal(File.ReadAllText(Path.Combine(results, "metrics.csv")), File.ReadAllText(Path.Combine(redrawn, "metrics.csv")));
        string redrawnReadme = File.ReadAllText(Path.Combine(redrawn, "README.md"));
        Assert.Contains("runs trained on a test GPU", redrawnReadme);
        Assert.Contains("`bash train.sh` (training), then `difflab study report", redrawnReadme);
        Assert.Contains("\"a test GPU\"", redrawnReadme);
        Assert.True(File.Exists(Path.Combine(redrawn, "curves.png")));

        // A run without its final evaluation is named, and nothing is trained.
        File.WriteAllLines(Path.Combine(runs, "tiny-study", "smoke", "mdt-seed1", "metrics.jsonl"),
            File.ReadAllLines(Path.Combine(runs, "tiny-study", "smoke", "mdt-seed1", "metrics.jsonl")).Where(l => !l.Contains("\"fd\"")));
        var unfinished = CliHarness.Difflab("study", "report", study, "--scale", "smoke", "--runs", runs, "--results", redrawn, "--trained-on", "x");
        Assert.Equal(2, unfinished.Code);
        Assert.Contains("not finished", unfinished.Err);
        Assert.Contains("mdt-seed1", unfinished.Err);

        // An interim report: every finished run at the seeds whose baseline is finished (dit at 0 and 1, mdt at 0 only);
        // the README names what it leaves out.
        string interim = Path.Combine(dir, "interim");
        var part = CliHarness.Difflab("study", "report", study, "--scale", "smoke", "--runs", runs, "--results", interim, "--trained-on", "x", "--partial");
        Assert.True(part.Code == 0, part.Err);
        var partMeasured = StudyResults.FromCsv(Path.Combine(interim, "metrics.csv"));
        Assert.Equal(["dit", "mdt"], partMeasured.RunNames);
        Assert.Equal([0L, 1L], partMeasured.Seeds("dit"));
        Assert.Equal([0L], partMeasured.Seeds("mdt"));
        string interimReadme = File.ReadAllText(Path.Combine(interim, "README.md"));
        Assert.Contains("**Interim report.** Not finished yet, so not in this report: mdt (seed 1).", interimReadme);

        // Run folders that did not survive (mdt seed 0 gone with its machine, seed 1 unfinished here): a complete report
        // again, with those run × seeds carried over from the earlier report, its grids and where they were measured.
        Directory.Delete(Path.Combine(runs, "tiny-study", "smoke", "mdt-seed0"), recursive: true);
        string carried = Path.Combine(dir, "carried");
        var carry = CliHarness.Difflab("study", "report", study, "--scale", "smoke", "--runs", runs, "--results", carried, "--trained-on", "x", "--earlier", results);
        Assert.True(carry.Code == 0, carry.Err);
        Assert.Contains("carried 2 run x seed(s) over", carry.Out);
        Assert.Equal(File.ReadAllText(Path.Combine(results, "metrics.csv")), File.ReadAllText(Path.Combine(carried, "metrics.csv")));
        Assert.True(File.Exists(Path.Combine(carried, "samples", "mdt.png")));
        Assert.Equal(Directory.GetFiles(Path.Combine(results, "samples"), "mdt-step-*.png").Select(Path.GetFileName),
            Directory.GetFiles(Path.Combine(carried, "samples"), "mdt-step-*.png").Select(Path.GetFileName));
        var sources = StudyRunSource.Read(carried, []);
        Assert.Equal(["dit", "dit", "mdt", "mdt"], sources.Select(s => s.Run));
        Assert.All(sources.Where(s => s.Run == "mdt"), s => Assert.StartsWith("difflab study run", s.Command));
        Assert.All(sources.Where(s => s.Run == "dit"), s => Assert.Contains("difflab study report", s.Command));
        string carriedReadme = File.ReadAllText(Path.Combine(carried, "README.md"));
        Assert.Contains("Where each run was measured", carriedReadme);
        Assert.Contains("- mdt (seeds 0, 1): revision", carriedReadme);
        Assert.Contains("<img src=\"samples/mdt-step-", carriedReadme);

        // `study run --earlier` does not train what the earlier report has, and its report carries it over likewise.
        var rerun = CliHarness.Difflab("study", "run", study, "--scale", "smoke", "--device", "cpu", "--runs", runs, "--results", Path.Combine(dir, "rerun"), "--earlier", results);
        Assert.True(rerun.Code == 0, rerun.Err);
        Assert.Contains("mdt seed 0: in the earlier report, skipped", rerun.Out);
        Assert.False(Directory.Exists(Path.Combine(runs, "tiny-study", "smoke", "mdt-seed0")));
        Assert.Equal(File.ReadAllText(Path.Combine(results, "metrics.csv")), File.ReadAllText(Path.Combine(dir, "rerun", "metrics.csv")));

        // A report written before sources.json says where its runs came from in its README's provenance lines.
        File.Delete(Path.Combine(results, StudyRunSource.FileName));
        var legacy = CliHarness.Difflab("study", "report", study, "--scale", "smoke", "--runs", runs, "--results", carried, "--trained-on", "x", "--earlier", results);
        Assert.True(legacy.Code == 0, legacy.Err);
        Assert.All(StudyRunSource.Read(carried, []).Where(s => s.Run == "mdt"), s => Assert.StartsWith("difflab study run", s.Command));

        // An earlier run evaluated on another schedule (or budget) than the study's config today is refused, not mixed in.
        string edited = Path.Combine(dir, "edited");
        Directory.CreateDirectory(edited);
        File.Copy(Path.Combine(results, "README.md"), Path.Combine(edited, "README.md"));
        File.WriteAllLines(Path.Combine(edited, "metrics.csv"), File.ReadAllLines(Path.Combine(results, "metrics.csv")).Where(l => !l.StartsWith("mdt,0,2,", StringComparison.Ordinal)));
        var changed = CliHarness.Difflab("study", "report", study, "--scale", "smoke", "--runs", runs, "--results", carried, "--trained-on", "x", "--earlier", edited);
        Assert.Equal(2, changed.Code);
        Assert.Contains("mdt seed 0 was evaluated at steps 4, but the study's config evaluates it at 2, 4 now", changed.Err);

        // Without a finished baseline there is nothing to report against.
        foreach (long seed in new[] { 0L, 1L })
        {
            string log = Path.Combine(runs, "tiny-study", "smoke", $"dit-seed{seed}", "metrics.jsonl");
            File.WriteAllLines(log, File.ReadAllLines(log).Where(l => !l.Contains("\"fd\"")));
        }
        var none = CliHarness.Difflab("study", "report", study, "--scale", "smoke", "--runs", runs, "--results", interim, "--trained-on", "x", "--partial");
        Assert.Equal(2, none.Code);
        Assert.Contains("no seed of the baseline run 'dit' is finished", none.Err);
    }

    [Fact]
    public void UnknownScaleIsNamed()
    {
        string dir = TinyRuns.TempDir("study-bad");
        File.WriteAllText(Path.Combine(dir, "a.json"), TinyRuns.Json("DiT-Tiny/4"));
        File.WriteAllText(Path.Combine(dir, "study.json"), """{"Name": "s", "Baseline": "a", "Runs": [{"Name": "a", "Config": "a.json"}], "Scales": {"full": []}}""");
        var (code, _, err) = CliHarness.Difflab("study", "run", dir, "--scale", "huge");
        Assert.Equal(2, code);
        Assert.Contains("scale 'huge' unknown", err);
        var only = CliHarness.Difflab("study", "run", dir, "--only", "a,b");
        Assert.Equal(2, only.Code);
        Assert.Contains("--only 'a,b': run 'b' is not in study 's'", only.Err);
        File.WriteAllText(Path.Combine(dir, "study.json"), """{"Name": "s", "Baseline": "a", "Runs": [{"Name": "a", "Config": "a.json"}], "Comparisons": [{"Title": "T", "Baseline": "a", "Runs": ["c"]}], "Scales": {"full": []}}""");
        var comparison = CliHarness.Difflab("study", "run", dir);
        Assert.Equal(2, comparison.Code);
        Assert.Contains("key 'Comparisons': 'T': run 'c' is not one of the study's", comparison.Err);
    }

    [Fact]
    public void A_shared_run_is_carried_from_the_report_of_the_study_that_trained_it()
    {
        // An ablation whose full model is a convergence study's run: that run's folders are gone with their machine, the
        // convergence study's committed report stays, and the ablation trains only its own arms.
        string dir = TinyRuns.TempDir("shared-earlier");
        string convergence = Path.Combine(dir, "convergence"), ablation = Path.Combine(dir, "ablation");
        Directory.CreateDirectory(convergence);
        Directory.CreateDirectory(ablation);
        File.WriteAllText(Path.Combine(convergence, "dit.json"), TinyRuns.Json("DiT-Tiny/4", steps: 4));
        File.WriteAllText(Path.Combine(convergence, "mdt.json"), TinyRuns.Json("MDT-Tiny/4", steps: 4));
        const string smoke = "\"Scales\": { \"smoke\": [\"Training.EvaluateEvery=2\", \"Evaluation.NumSamples=10\"] }";
        File.WriteAllText(Path.Combine(convergence, "study.json"), $$"""
            { "Name": "convergence", "Seeds": [0], "Baseline": "dit",
              "Runs": [ { "Name": "dit", "Config": "dit.json" }, { "Name": "mdt", "Config": "mdt.json" } ], {{smoke}} }
            """);
        File.WriteAllText(Path.Combine(ablation, "study.json"), $$"""
            { "Name": "ablation", "Seeds": [0], "Baseline": "full",
              "Runs": [ { "Name": "full", "Config": "../convergence/mdt.json", "Shares": "convergence/mdt" },
                        { "Name": "no-relbias", "Config": "../convergence/mdt.json", "Set": ["Model.RelativePositionBias=false"] } ], {{smoke}} }
            """);
        string runs = Path.Combine(dir, "runs"), convergenceReport = Path.Combine(dir, "results", "convergence"), ablationReport = Path.Combine(dir, "results", "ablation");
        var trained = CliHarness.Difflab("study", "run", convergence, "--scale", "smoke", "--device", "cpu", "--runs", runs, "--results", convergenceReport);
        Assert.True(trained.Code == 0, trained.Err);
        Directory.Delete(runs, recursive: true);

        var run = CliHarness.Difflab("study", "run", ablation, "--scale", "smoke", "--device", "cpu", "--runs", runs, "--results", ablationReport, "--earlier", convergenceReport);
        Assert.True(run.Code == 0, run.Err);
        Assert.Contains("full seed 0: in the earlier report, skipped", run.Out);
        Assert.Equal(["no-relbias-seed0"], Directory.GetDirectories(Path.Combine(runs, "ablation", "smoke")).Select(Path.GetFileName));
        Assert.False(Directory.Exists(Path.Combine(runs, "convergence")));
        // The convergence study's mdt rows, under the ablation's name for them, with their grids and their source.
        var there = StudyResults.FromCsv(Path.Combine(convergenceReport, "metrics.csv"));
        var here = StudyResults.FromCsv(Path.Combine(ablationReport, "metrics.csv"));
        Assert.Equal(["full", "no-relbias"], here.RunNames);
        Assert.Equal(there.Evaluations("mdt", 0).Select(r => (r.Step, r.Fd)), here.Evaluations("full", 0).Select(r => (r.Step, r.Fd)));
        Assert.True(File.Exists(Path.Combine(ablationReport, "samples", "full.png")));
        Assert.Equal(StudyGridFiles.Steps(Path.Combine(convergenceReport, "samples"), "mdt"), StudyGridFiles.Steps(Path.Combine(ablationReport, "samples"), "full"));
        var source = Assert.Single(StudyRunSource.Read(ablationReport, []), s => s.Run == "full");
        Assert.Contains("study run " + convergence, source.Command);
        Assert.Contains("| no-relbias |", File.ReadAllText(Path.Combine(ablationReport, "README.md")));

        // The ablation's own report and the convergence study's together: each run from one of them.
        var both = CliHarness.Difflab("study", "report", ablation, "--scale", "smoke", "--runs", runs, "--results", Path.Combine(dir, "again"), "--trained-on", "x",
            "--earlier", ablationReport, "--earlier", convergenceReport);
        Assert.Equal(2, both.Code);
        Assert.Contains("both have run 'full'", both.Err);
        Directory.Delete(runs, recursive: true);
        var fromOwn = CliHarness.Difflab("study", "report", ablation, "--scale", "smoke", "--runs", runs, "--results", Path.Combine(dir, "again"), "--trained-on", "x", "--earlier", ablationReport);
        Assert.True(fromOwn.Code == 0, fromOwn.Err);
        Assert.Equal(File.ReadAllText(Path.Combine(ablationReport, "metrics.csv")), File.ReadAllText(Path.Combine(dir, "again", "metrics.csv")));

        // A report of a study none of its runs shares is refused, naming both.
        var unrelated = CliHarness.Difflab("study", "report", convergence, "--scale", "smoke", "--runs", runs, "--results", Path.Combine(dir, "x"), "--trained-on", "x", "--earlier", ablationReport);
        Assert.Equal(2, unrelated.Code);
        Assert.Contains("is of study 'ablation'; expected a report of 'convergence' or of a study one of its runs shares (none)", unrelated.Err);
    }
}
