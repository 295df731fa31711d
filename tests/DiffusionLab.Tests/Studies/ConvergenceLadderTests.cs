using DiffusionLab.Studies;

namespace DiffusionLab.Tests.Studies;

/// <summary>The target ladder: per-seed targets from the baseline's runs, per-seed crossings, paired speed-ups, bounds and misses.</summary>
public class ConvergenceLadderTests
{
    private static StudySpec Spec() => new()
    {
        Name = "s", Seeds = [0, 1], Baseline = "dit",
        Runs = [new StudyRun { Name = "dit", Label = "DiT" }, new StudyRun { Name = "fast", Label = "Fast" }, new StudyRun { Name = "slow", Label = "Slow" }],
    };

    private static StudyRecord R(string run, long seed, long step, double fd) => new(run, seed, step, WallSeconds: step / 10.0, null, fd, null);

    /// <summary>
    /// DiT falls linearly from 400 at step 0 to 100 at step 1000 on both seeds; "fast" reaches every FD in half the steps
    /// (seed 0) or a quarter (seed 1); "slow" only ever gets to 250.
    /// </summary>
    private static StudyResults Results()
    {
        var records = new List<StudyRecord>();
        foreach (long seed in new long[] { 0, 1 })
            for (long step = 0; step <= 1000; step += 100)
            {
                records.Add(R("dit", seed, step, 400 - 0.3 * step));
                double speed = seed == 0 ? 2 : 4;
                records.Add(R("fast", seed, step, Math.Max(100, 400 - 0.3 * speed * step)));
                records.Add(R("slow", seed, step, Math.Max(250, 400 - 0.3 * step)));
            }
        return new StudyResults(records);
    }

    [Fact]
    public void Targets_are_each_baseline_seeds_fd_at_fractions_of_its_budget()
    {
        var ladder = ConvergenceLadder.Of(Spec(), Results());
        Assert.Equal([0.1, 0.25, 0.5, 1.0], ladder.Targets.Select(t => t.Fraction));
        Assert.Equal([100.0, 250, 500, 1000], ladder.Targets.Select(t => t.BaselineStep));
        Assert.Equal(370, ladder.Targets[0].FdBySeed[0], 9);   // 400 − 0.3·100
        Assert.Equal(325, ladder.Targets[1].FdBySeed[1], 9);   // between the evaluations at 200 and 300
        Assert.Equal(100, ladder.Targets[3].MeanFd, 9);
    }

    [Fact]
    public void Every_baseline_seed_reaches_its_own_final_rung_and_runs_are_held_to_their_seeds_target()
    {
        // DiT's seed 1 ends at FD 130, seed 0 at 100: against their mean (115) seed 1 would never reach the top rung.
        var records = Results().Records.Select(r => r.Run == "dit" && r.Seed == 1 ? r with { Fd = 400 - 0.27 * r.Step } : r).ToList();
        var ladder = ConvergenceLadder.Of(Spec(), new StudyResults(records));
        var top = ladder["dit", 1.0];
        Assert.True(top.AllReached);
        Assert.Equal([1000.0, 1000.0], top.Seeds.Select(s => Math.Round(s.Steps!.Value, 9)));
        Assert.Equal(130, ladder.Targets[3].FdBySeed[1], 9);
        // "slow" (stuck at 250) misses both; "fast" seed 1 (4× on FD 400 − 1.2·step) reaches 130 at step 250 (interpolated between 160 at 200 and 100 at 300).
        Assert.False(ladder["slow", 1.0].AllReached);
        Assert.Equal(250, ladder["fast", 1.0].Seeds[1].Steps!.Value, 9);
        Assert.Contains("FD 100.0 / 130.0", ladder.Markdown());
    }

    [Fact]
    public void Each_seed_crosses_by_interpolation_and_the_speedup_is_paired_by_seed()
    {
        var ladder = ConvergenceLadder.Of(Spec(), Results());
        var half = ladder["fast", 0.5];                 // target FD 250: DiT at step 500
        Assert.Equal(250, half.Seeds[0].Steps!.Value, 9);
        Assert.Equal(125, half.Seeds[1].Steps!.Value, 9);
        Assert.Equal(25, half.Seeds[0].Seconds!.Value, 9);
        Assert.Equal([2.0, 4.0], half.PairedSpeedups.Select(s => Math.Round(s, 9)));
        Assert.Equal(3.0, half.MeanSpeedup!.Value, 9);
        Assert.Equal(1.0, half.SpeedupSe!.Value, 9);    // SD √2 over √2 seeds
        Assert.Equal(1.0, ladder["dit", 0.5].MeanSpeedup!.Value, 9);
    }

    [Fact]
    public void A_target_never_reached_is_not_a_number_and_says_so()
    {
        var ladder = ConvergenceLadder.Of(Spec(), Results());
        var slowFinal = ladder["slow", 1.0];
        Assert.False(slowFinal.AllReached);
        Assert.Null(slowFinal.MeanSteps);
        Assert.Null(slowFinal.MeanSpeedup);
        Assert.Contains("not reached by 2 of 2 seeds", ladder.Markdown());
        // 250 is still reached, at the same step as DiT.
        Assert.Equal(1.0, ladder["slow", 0.5].MeanSpeedup!.Value, 9);
    }

    [Fact]
    public void A_seed_already_past_a_target_at_its_first_evaluation_is_marked_a_bound()
    {
        var records = Results().Records.Where(r => !(r.Run == "fast" && r.Step == 0)).Select(r =>
            r.Run == "fast" && r.Step == 100 ? r with { Fd = 360 } : r).ToList();
        var ladder = ConvergenceLadder.Of(Spec(), new StudyResults(records));
        var first = ladder["fast", 0.1];                // target 370, and fast's first evaluation is 360 at step 100
        Assert.True(first.AnyBound);
        Assert.Contains("≤ 100", ladder.Markdown());
        Assert.False(ladder["fast", 1.0].AnyBound);
    }
}
