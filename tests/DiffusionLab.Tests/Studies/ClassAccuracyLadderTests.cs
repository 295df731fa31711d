using DiffusionLab.Studies;

namespace DiffusionLab.Tests.Studies;

/// <summary>The class-accuracy ladder: per-seed crossings of rising accuracy, paired speed-ups, misses and the stop condition.</summary>
public class ClassAccuracyLadderTests
{
    private static StudySpec Spec() => new()
    {
        Name = "s", Seeds = [0, 1], Baseline = "dit",
        Runs = [new StudyRun { Name = "dit", Label = "DiT" }, new StudyRun { Name = "mdt", Label = "MDT" }],
    };

    /// <summary>DiT's accuracy rises linearly from 0.1 at step 0 to 0.9 at step 800 (seed 0) or 1,000 (seed 1); MDT twice as fast on seed 0 and never past 0.6 on seed 1.</summary>
    private static StudyResults Results(double ditSeed1Top = 0.9)
    {
        var records = new List<StudyRecord>();
        for (long step = 0; step <= 1000; step += 100)
        {
            records.Add(new("dit", 0, step, step / 10.0, null, 100, Math.Min(0.9, 0.1 + 0.001 * step)));
            records.Add(new("dit", 1, step, step / 10.0, null, 100, Math.Min(ditSeed1Top, 0.1 + 0.0008 * step)));
            records.Add(new("mdt", 0, step, step / 5.0, null, 90, Math.Min(0.95, 0.1 + 0.002 * step)));
            records.Add(new("mdt", 1, step, step / 5.0, null, 90, Math.Min(0.6, 0.1 + 0.002 * step)));
            records.Add(new("mdt", 1, step, step / 5.0, 0.5, null, null));   // a loss row: not an evaluation
        }
        return new StudyResults(records);
    }

    [Fact]
    public void Each_seed_crosses_by_interpolation_and_misses_are_not_numbers()
    {
        var ladder = ClassAccuracyLadder.Of(Spec(), Results())!;
        var dit = ladder["dit", 0.5];
        Assert.Equal([400.0, 500.0], dit.Seeds.Select(s => Math.Round(s.Steps!.Value, 9)));
        var mdt = ladder["mdt", 0.5];
        Assert.Equal([200.0, 200.0], mdt.Seeds.Select(s => Math.Round(s.Steps!.Value, 9)));
        Assert.Equal(40.0, mdt.Seeds[0].Seconds!.Value, 9);
        Assert.Equal([2.0, 2.5], mdt.PairedSpeedups.Select(s => Math.Round(s, 9)));
        Assert.Equal(2.25, mdt.MeanSpeedup!.Value, 9);
        var top = ladder["mdt", 0.9];
        Assert.False(top.Seeds[1].Reached);
        Assert.Null(top.MeanSteps);
        Assert.Null(top.MeanSpeedup);
        string md = ladder.Markdown();
        Assert.Contains("| ≥ 0.9 | MDT | 400 / not reached | not reached by 1 of 2 seeds |", md);
    }

    [Fact]
    public void The_stop_condition_holds_only_when_every_baseline_seed_draws_its_digits()
    {
        var met = ClassAccuracyLadder.Of(Spec(), Results())!.StopCondition("DiT", 0.9, [0.9, 0.9]);
        Assert.True(met.Met);
        Assert.Contains("at steps 800 / 1000", met.Sentence);
        var missed = ClassAccuracyLadder.Of(Spec(), Results(ditSeed1Top: 0.7))!.StopCondition("DiT", 0.9, [0.9, 0.7]);
        Assert.False(missed.Met);
        Assert.Contains("1 of 2 seeds never reached class accuracy 0.9 (final 0.900 / 0.700)", missed.Sentence);
    }

    [Fact]
    public void Without_class_accuracies_there_is_no_ladder()
    {
        var results = new StudyResults([new("dit", 0, 100, 1, null, 50, null)]);
        Assert.Null(ClassAccuracyLadder.Of(Spec(), results));
    }
}
