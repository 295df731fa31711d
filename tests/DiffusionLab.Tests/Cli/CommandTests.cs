using System.Text.Json.Nodes;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Cli;

public class CommandTests
{
    [Fact]
    public void TrainThenSampleThenEvaluate()
    {
        string dir = TinyRuns.TempDir("cli-run");
        string cfg = Path.Combine(dir, "tiny.json");
        File.WriteAllText(cfg, TinyRuns.Json("MDT-Tiny/4", steps: 2));
        string run = Path.Combine(dir, "run");
        var train = CliHarness.Difflab("train", cfg, "--out", run, "--device", "cpu");
        Assert.True(train.Code == 0, train.Err);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", TrainingCheckpoint.FileName(2))));

        string png = Path.Combine(dir, "grid.png");
        var sample = CliHarness.Difflab("sample", run, "--count", "4", "--labels", "1,2,3,10", "--seed", "3", "--out", png, "--set", "Sampling.Respacing=4", "--set", "Sampling.Sampler=ddpm", "--set", "Sampling.GuidanceScale=2");
        Assert.True(sample.Code == 0, sample.Err);
        Assert.True(new FileInfo(png).Length > 100);

        var evaluate = CliHarness.Difflab("evaluate", run, "--set", "Evaluation.NumSamples=10");
        Assert.True(evaluate.Code == 0, evaluate.Err);
        var row = JsonNode.Parse(evaluate.Out)!.AsObject();
        Assert.Equal(2, row["step"]!.GetValue<double>());
        Assert.True(row["fd"]!.GetValue<double>() > 0);
        Assert.Contains("\"fd\"", File.ReadAllText(Path.Combine(run, "metrics.jsonl")));
        Assert.True(row["generate_seconds"]!.GetValue<double>() > 0 && row["judge_seconds"]!.GetValue<double>() > 0);
        Assert.InRange(row["probe_label_follow_t600"]!.GetValue<double>(), 0, 1);

        string probe = Path.Combine(dir, "probe.png");
        var probed = CliHarness.Difflab("evaluate", run, "--probe", probe);
        Assert.True(probed.Code == 0, probed.Err);
        Assert.True(new FileInfo(probe).Length > 100);
        var probeRows = probed.Out.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal([50, 200, 400, 600, 800, 950], probeRows.Select(r => r["t"]!.GetValue<int>()));
        Assert.All(probeRows, r => Assert.InRange(r["label_follow"]!.GetValue<double>(), 0, 1));
        var notPng = CliHarness.Difflab("evaluate", run, "--probe", Path.Combine(dir, "probe.txt"));
        Assert.Equal(2, notPng.Code);
        Assert.Contains("--probe", notPng.Err);

        // Running the finished run again resumes it and has nothing left to do.
        var again = CliHarness.Difflab("train", cfg, "--out", run, "--device", "cpu");
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains("resumed", again.Out);
    }

    [Fact]
    public void BenchPrintsOneJsonLinePerMeasurement()
    {
        string file = Path.Combine(TinyRuns.TempDir("bench"), "bench.jsonl");
        foreach (var mode in new[] { "train", "sample" })
        {
            var (code, output, err) = CliHarness.Difflab("bench", mode, "MDTv2-Tiny/4", "--batch", "2", "--steps", "2", "--warmup", "1", "--device", "cpu",
                "--set", "HiddenSize=32", "--set", "NumHeads=2", "--set", "Depth=4", "--out", file);
            Assert.True(code == 0, err);
            var line = JsonNode.Parse(output.Trim())!.AsObject();
            Assert.Equal(mode, line["bench"]!.GetValue<string>());
            if (mode == "sample") Assert.Equal("ddim", line["sampler"]!.GetValue<string>());
            Assert.True(line["images_per_s"]!.GetValue<double>() > 0);
            Assert.True(line["peak_memory_bytes"]!.GetValue<long>() > 0);
        }
        Assert.Equal(2, File.ReadAllLines(file).Length);
    }

    [Fact]
    public void EvaluateAtAddsEvaluationsToThePeriodicOnes()
    {
        var config = TinyRuns.Config("DiT-Tiny/4", 6, "Training.EvaluateEvery=4", "Training.EvaluateAt=[1,2]", "Evaluation.NumSamples=10", "Evaluation.BatchSize=10",
            "Evaluation.ProbeDigitsPerClass=1");
        string dir = TinyRuns.TempDir("evaluate-at");
        using (var t = new DenoiserTraining(config, dir, CPU, TinyRuns.Quiet(config))) t.Train();
        var steps = new MetricsLog(new RunFolder(dir).MetricsFile).ReadAll().Where(r => r.ContainsKey("fd")).Select(r => (long)r["step"]);
        Assert.Equal([1L, 2, 4, 6], steps);
    }

    [Fact]
    public void TheLastStepsEvaluationDrawsFinalNumSamples()
    {
        var config = TinyRuns.Config("DiT-Tiny/4", 4, "Training.EvaluateEvery=2", "Evaluation.NumSamples=10", "Evaluation.FinalNumSamples=20",
            "Evaluation.BatchSize=10", "Evaluation.ProbeDigitsPerClass=0");
        string dir = TinyRuns.TempDir("final-samples");
        using (var t = new DenoiserTraining(config, dir, CPU, TinyRuns.Quiet(config))) t.Train();
        var counts = new MetricsLog(new RunFolder(dir).MetricsFile).ReadAll().Where(r => r.ContainsKey("fd")).Select(r => ((long)r["step"], (double)r["eval_samples"]));
        Assert.Equal([(2L, 10.0), (4L, 20.0)], counts);
        var bad = Assert.Throws<DiffusionLab.Core.ConfigException>(() => TinyRuns.Config("DiT-Tiny/4", 4, "Evaluation.FinalNumSamples=1"));
        Assert.Contains("Evaluation.FinalNumSamples", bad.Message);
    }

    [Fact]
    public void RescoreReproducesARunsEvaluationsFromItsCheckpoints()
    {
        var config = TinyRuns.Config("DiT-Tiny/4", 4, "Training.EvaluateEvery=2", "Training.CheckpointEvery=2", "Evaluation.NumSamples=10", "Evaluation.BatchSize=10");
        string dir = TinyRuns.TempDir("rescore");
        using (var t = new DenoiserTraining(config, dir, CPU, TinyRuns.Quiet(config))) t.Train();
        var log = new MetricsLog(new RunFolder(dir).MetricsFile);
        var before = log.ReadAll();

        var (code, output, err) = CliHarness.Difflab("evaluate", dir, "--rescore");

        Assert.True(code == 0, err);
        Assert.Contains("re-scored 2 evaluations", output);
        var after = log.ReadAll();
        Assert.Equal(before.Select(r => (r["step"], r.ContainsKey("fd"))), after.Select(r => (r["step"], r.ContainsKey("fd"))));
        foreach (var (b, a) in before.Zip(after).Where(p => p.First.ContainsKey("fd")))
            Assert.Equal((b["fd"], b["wall_seconds"]), (a["fd"], a["wall_seconds"]));   // same judges, same seed: the same numbers
        (code, _, err) = CliHarness.Difflab("evaluate", Path.Combine(dir, "nope"), "--rescore");
        Assert.Equal(2, code);
    }

    [Fact]
    public void BenchStoryMeasuresBatchAndBankStories()
    {
        string[] tiny = ["--set", "HiddenSize=64", "--set", "NumHeads=2", "--set", "Depth=4", "--set", "TextWidth=16", "--set", "TextDepth=1", "--set", "TextHeads=2"];
        foreach (var mode in new[] { "batch", "bank" })
        {
            var (code, output, err) = CliHarness.Difflab(["bench", "story", "MDTv2-T2I-Tiny/4", "--panels", "3", "--mode", mode, "--steps", "2", .. tiny]);
            Assert.True(code == 0, err);
            var line = JsonNode.Parse(output.Trim())!.AsObject();
            Assert.Equal((mode, 3), (line["mode"]!.GetValue<string>(), line["panels"]!.GetValue<int>()));
            Assert.Equal(mode == "bank", line["bank_bytes"]!.GetValue<long>() > 0);
        }
        var (bad, _, message) = CliHarness.Difflab("bench", "story", "MDTv2-Tiny/4", "--panels", "3", "--mode", "bank");
        Assert.Equal(2, bad);
        Assert.Contains("class-conditional", message);
    }

    [NoCudaFact]
    public void DeviceCudaWithoutAGpuIsABadInput()
    {
        var (code, _, err) = CliHarness.Difflab("bench", "train", "DiT-Tiny/4", "--batch", "2", "--device", "cuda");
        Assert.Equal(2, code);
        Assert.Contains("--device cuda", err);
    }
}
