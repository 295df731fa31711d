using DiffusionLab.Studies;

namespace DiffusionLab.Tests.Studies;

/// <summary>An ablation's table: each arm's final FD and class accuracy minus the full model's at the same seed, with a t-interval.</summary>
public class PairedDifferencesTests
{
    private static StudySpec Spec() => new()
    {
        Name = "s", Seeds = [0, 1, 2], Baseline = "full",
        Runs = [new StudyRun { Name = "full", Label = "Full" }, new StudyRun { Name = "worse", Label = "Worse" }, new StudyRun { Name = "same", Label = "Same" }],
    };

    private static StudyRecord R(string run, long seed, long step, double fd, double accuracy) => new(run, seed, step, step / 10.0, null, fd, accuracy);

    private static StudyResults Results()
    {
        // Seeds differ a lot from each other (30, 40, 50), but "worse" is 5 ± 1 above the full model at every seed;
        // "same" is ±10 around it, so its mean difference (0) cannot be told from zero.
        double[] full = [30, 40, 50], worse = [34, 45, 56], same = [40, 30, 50];
        var records = new List<StudyRecord>();
        for (int s = 0; s < 3; s++)
        {
            records.Add(R("full", s, 100, 400, 0.1));
            records.Add(R("full", s, 1000, full[s], 0.9));
            records.Add(R("worse", s, 1000, worse[s], 0.8));
            records.Add(R("same", s, 1000, same[s], 0.9));
        }
        return new StudyResults(records);
    }

    [Fact]
    public void Differences_are_paired_by_seed_with_a_t_interval()
    {
        var fd = PairedDifferences.Of(Spec(), Results(), "fd").ToDictionary(d => d.Run);
        Assert.Equal([4.0, 5.0, 6.0], fd["worse"].Seeds.Select(s => s.Difference));
        Assert.Equal(5.0, fd["worse"].Mean, 9);
        Assert.Equal(1 / Math.Sqrt(3), fd["worse"].Se!.Value, 9);           // SD 1 over √3 seeds
        Assert.Equal(4.303 / Math.Sqrt(3), fd["worse"].HalfWidth95!.Value, 9); // t(0.975, 2) = 4.303
        Assert.Equal(1, fd["worse"].Sign);
        Assert.Equal(0, fd["same"].Sign);
        Assert.DoesNotContain(fd.Keys, k => k == "full");
    }

    [Fact]
    public void The_table_reads_an_interval_that_holds_zero_as_undecided()
    {
        string table = PairedDifferences.Markdown(Spec(), Results());
        Assert.Contains("| Worse | +4.00 / +5.00 / +6.00 | +5.00 ± 0.58 [+2.52, +7.48] | −0.100 / −0.100 / −0.100 |", table);
        Assert.Contains("worse FD;", table);
        Assert.Contains("FD not distinguishable at 3 seeds", table);
    }

    [Fact]
    public void An_undecided_difference_says_how_many_seeds_would_decide_it()
    {
        // MDT against DiT in convergence-mnist-digits: mean +5.41, SD 15.57 over 3 seeds. The interval excludes 0 once
        // t(n − 1) · 15.57 / √n < 5.41: t(33) · 15.57 / √34 = 5.43 still holds 0, t(34) · 15.57 / √35 = 5.35 does not.
        var d = new PairedDifference("mdt", "MDT", "fd", [(0, 11.02), (1, 17.39), (2, -12.19)]);
        Assert.Equal(0, d.Sign);
        Assert.Equal(35, d.SeedsToDecide);

        // A difference already decided needs no more seeds; one with no mean at all is never decided.
        var fd = PairedDifferences.Of(Spec(), Results(), "fd").ToDictionary(x => x.Run);
        Assert.Null(fd["worse"].SeedsToDecide);
        Assert.Null(fd["same"].SeedsToDecide);
        Assert.Null(new PairedDifference("one", "One", "fd", [(0, 3.0)]).SeedsToDecide);
        // Tiny against its spread: beyond the cap.
        Assert.Equal(PairedDifference.MaxSeedsToDecide + 1, new PairedDifference("t", "T", "fd", [(0, 10.0), (1, -10.0), (2, 0.3)]).SeedsToDecide);
    }

    [Fact]
    public void The_reading_names_the_seeds_that_would_decide()
    {
        var spec = Spec() with { Runs = [Spec().Runs[0], new StudyRun { Name = "near", Label = "Near" }] };
        double[] full = [30, 40, 50], near = [35, 38, 56];   // +5, −2, +6: mean +3, SD 4.36
        var records = Enumerable.Range(0, 3).SelectMany(s => new[] { R("full", s, 1000, full[s], 0.9), R("near", s, 1000, near[s], 0.9) }).ToList();
        string table = PairedDifferences.Markdown(spec, new StudyResults(records));
        int n = PairedDifferences.Of(spec, new StudyResults(records), "fd").Single().SeedsToDecide!.Value;
        Assert.InRange(n, 4, 20);
        Assert.Contains($"FD not distinguishable at 3 seeds (≈ {n} seeds at this mean and spread)", table);
        Assert.Contains("class accuracy not distinguishable |", table);   // no difference at all: no estimate
    }

    [Theory]
    [InlineData(1, 12.706)]
    [InlineData(4, 2.776)]
    [InlineData(30, 2.042)]
    [InlineData(1000, 1.962)]
    public void Student_t_quantiles_match_the_tables(int df, double expected)
    {
        Assert.Equal(expected, PairedDifferences.StudentT975(df), 3);
    }
}
