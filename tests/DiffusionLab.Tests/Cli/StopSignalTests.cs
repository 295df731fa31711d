using System.Diagnostics;
using System.Text.RegularExpressions;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Cli;

public class StopSignalTests
{
    /// <summary>
    /// SIGTERM (kill, a scheduler's time limit, a container stop) stops `difflab train` as Ctrl-C does: a checkpoint
    /// at the step it reached, exit 130, and the same command resumes from there. A child process, because the
    /// signal would reach every training test running in this one.
    /// </summary>
    [Fact]
    public void SigtermCheckpointsTheStepReachedAndExits130()
    {
        if (OperatingSystem.IsWindows()) return; // no SIGTERM to send there
        string dir = TinyRuns.TempDir("sigterm");
        string cfg = Path.Combine(dir, "tiny.json");
        // A checkpoint every 1,000 steps: without the signal's own checkpoint the steps reached would be lost.
        File.WriteAllText(cfg, TinyRuns.Json("DiT-Tiny/4", steps: 100_000).Replace("\"CheckpointEvery\": 3", "\"CheckpointEvery\": 1000"));
        string run = Path.Combine(dir, "run");
        var stdout = new System.Text.StringBuilder();
        using var trained = new ManualResetEventSlim();
        using var child = ChildDifflab.Start(line =>
        {
            lock (stdout) stdout.AppendLine(line);
            if (line.StartsWith("step 3/", StringComparison.Ordinal)) trained.Set();
        }, "train", cfg, "--out", run, "--device", "cpu");
        try
        {
            Assert.True(trained.Wait(TimeSpan.FromMinutes(3)), $"difflab did not reach step 3 within 3 minutes:\n{stdout}");
            using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(2)), "difflab did not stop within 2 minutes of SIGTERM");
            child.WaitForExit(); // drains the redirected output
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }
        string output;
        lock (stdout) output = stdout.ToString();
        Assert.True(child.ExitCode == 130, $"exit {child.ExitCode}\n{output}");
        var stopped = Regex.Match(output, @"stopped at step (\d+); checkpoint written");
        Assert.True(stopped.Success, output);
        long step = long.Parse(stopped.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(step >= 3, output);
        Assert.EndsWith(TrainingCheckpoint.FileName(step), TrainingCheckpoint.Latest(run));
    }
}
