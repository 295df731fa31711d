using DiffusionLab.Core;
using DiffusionLab.Interactive;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;

namespace DiffusionLab.Tests.Interactive;

/// <summary>The host registration is process-wide: these tests run alone, so no other test's training reports to their fake display.</summary>
[CollectionDefinition(nameof(ProgressHostCollection), DisableParallelization = true)]
public class ProgressHostCollection;

[Collection(nameof(ProgressHostCollection))]
public class NotebookProgressTests
{
    /// <summary>A stand-in for the notebook host: shows the board once, then records every refresh of that one display.</summary>
    private sealed class FakeDisplay
    {
        public int Shown { get; private set; }
        public List<string> Html { get; } = [];
        public List<string> Text { get; } = [];
        public object Cell { get; set; } = new();

        public Func<string, IProgressDisplay> Host() => NotebookProgress.Host(() => Cell, board =>
        {
            Shown++;
            Record(board);
            return () => Record(board);
        }, minInterval: TimeSpan.Zero);

        private void Record(NotebookProgress board)
        {
            Html.Add(board.Html());
            Text.Add(board.Text());
        }
    }

    [Fact]
    public void TrainingToTheConsoleUpdatesOneNotebookDisplayWhenAHostIsRegistered()
    {
        var fake = new FakeDisplay();
        using (ProgressHost.Register(fake.Host()))
        {
            var progress = TrainingProgress.ForConsole(totalSteps: 4, firstStep: 0, every: 1);
            for (int step = 1; step <= 4; step++)
                progress.Report(step, new Dictionary<string, double> { ["step"] = step, ["loss"] = 1.0 / step });
            progress.Message("step 4: fd 12.5");
            // Sampling with no progress of its own reports to the same cell's display.
            var sampling = ProgressMeter.OnHost("sampling 10 images, 5 steps", 5)!;
            for (int i = 1; i <= 5; i++) sampling.Report(i);
        }

        Assert.Equal(1, fake.Shown); // one display for the cell, updated in place
        Assert.True(fake.Html.Count >= 10, $"expected a refresh per report, got {fake.Html.Count}");
        Assert.StartsWith("training: 1/4", fake.Text[0]);
        Assert.Contains("ETA", fake.Text[0]);
        Assert.Contains("steps/s", fake.Text[0]);
        Assert.Contains("loss 1", fake.Text[0]);
        string last = fake.Text[^1];
        Assert.Contains("training: 4/4", last);
        Assert.Contains("done  loss 0.25", last);
        Assert.Contains("sampling 10 images, 5 steps: 5/5", last);
        Assert.Contains("step 4: fd 12.5", last);
        Assert.DoesNotContain("\"step", last); // the step and clock columns are not repeated as values
        Assert.Contains("<svg", fake.Html[^1]); // the loss sparkline
        Assert.Contains("<polyline", NotebookProgress.Sparkline([1.0, 0.5, 0.25]));
        Assert.False(ProgressHost.IsRegistered);
    }

    [Fact]
    public void ANewCellGetsANewDisplayAndTheRateLimitHoldsBackOnlyIntermediateStates()
    {
        var fake = new FakeDisplay();
        using (ProgressHost.Register(fake.Host()))
        {
            ProgressHost.Open("a")!.Show(State("a", 1, 2));
            fake.Cell = new object();
            ProgressHost.Open("b")!.Show(State("b", 1, 2));
        }
        Assert.Equal(2, fake.Shown);
        Assert.DoesNotContain("a:", fake.Text[^1]);

        var refreshes = 0;
        var board = new NotebookProgress(_ => () => refreshes++, minInterval: TimeSpan.FromHours(1));
        var row = board.Row("loop");
        row.Show(State("loop", 1, 3)); // shows the board
        row.Show(State("loop", 2, 3)); // held back
        Assert.Equal(0, refreshes);
        board.Flush();
        Assert.Equal(1, refreshes);
        row.Show(State("loop", 3, 3)); // finished: at once
        Assert.Equal(2, refreshes);
        Assert.Equal(3, board.Rows.Single().Step);
    }

    [Fact]
    public void WithoutAHostTrainingWritesLinesAsBefore()
    {
        Assert.False(ProgressHost.IsRegistered);
        var output = new StringWriter();
        var progress = new TrainingProgress(output, interactive: false, totalSteps: 4, firstStep: 0, every: 2);
        for (int step = 1; step <= 4; step++) progress.Report(step, new Dictionary<string, double> { ["loss"] = 0.5 });
        var lines = output.ToString().Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("step 2/4", lines[0]);
        Assert.Contains("loss 0.5", lines[1]);
        Assert.Null(ProgressMeter.OnHost("sampling", 5));
    }

    [Fact]
    public void ARunTrainedWithDefaultProgressReportsItsStepsSamplesAndEvaluationToTheDisplay()
    {
        var fake = new FakeDisplay();
        string dir = Path.Combine(TinyRuns.TempDir("progress"), "run");
        var config = TinyRuns.Config("DiT-Tiny/4", 2, "Training.SampleEvery=2", "Training.EvaluateEvery=2", "Evaluation.NumSamples=10", "Evaluation.BatchSize=10");
        using (ProgressHost.Register(fake.Host()))
        using (var training = new DenoiserTraining(config, dir, torch.CPU))
            training.Train();

        Assert.Equal(1, fake.Shown);
        string last = fake.Text[^1];
        Assert.Contains("training: 2/2", last);
        Assert.Contains("sampling 10 images, 5 steps: 5/5", last);
        Assert.Contains("evaluation: 10 samples: 10/10", last);
        Assert.Contains("step 2: fd", last);
        Assert.True(RunMetrics.Loss(dir).Count > 0);
    }

    private static ProgressState State(string title, long step, long total) =>
        new(title, step, total, 1.0, total - step, new Dictionary<string, double>(), []);
}
